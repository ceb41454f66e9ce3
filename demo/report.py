"""What the demo prints: what a county director wants to see, then the self-check."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from demo import oracle
from demo.county import DEPARTMENTS, County
from services.matching.domain.rules_config import load
from shared.codes.divisions import DivisionTable
from shared.codes.masking import mask_name

WIDTH = 78


class Report:
    def __init__(self, county: County) -> None:
        self.county = county
        self.started = time.monotonic()
        self.rules = {r.id: r for r in load().rules}
        self.table = DivisionTable.load()

    def say(self, line: str = "") -> None:
        print(line, flush=True)

    def heading(self, text: str) -> None:
        self.say()
        self.say(text)
        self.say("─" * WIDTH)

    def step(self, text: str) -> None:
        self.say(f"[{time.monotonic() - self.started:6.1f} s] {text}")

    def place(self, code: str | None) -> str:
        township = (code or "")[:9]
        return self.table.name(township) or township or "—"

    def intro(self, folder: Path) -> None:
        c = self.county
        homes = len(c.households())
        self.say("═" * WIDTH)
        self.say("救助数据共享与交叉核查演示 · Safety Net Exchange demo")
        self.say("═" * WIDTH)
        places = "、".join(name for _, name in c.townships)
        self.say(f"{c.name}（{c.code}）{len(c.townships)} 个街道：{places}")
        self.say(f"{homes:,} 户 {len(c.persons):,} 人 · {len(DEPARTMENTS)} 个部门的名册")
        self.say(f"{len(c.applications)} 份低保申请将经街道受理")
        self.say(f"数据库与日志：{folder}")

    def published(self, counts: dict[str, int]) -> None:
        self.step("各部门经 exchange 发布名册（含录入不规范的身份证号、繁体姓名、各种日期写法）：")
        for name, sources in DEPARTMENTS.values():
            rosters = "、".join(f"{s} {counts.get(s, 0):,} 条" for s in sources)
            self.say(f"          {name:<12}{rosters}")

    def _example(self, finding: dict[str, Any]) -> str:
        names = {
            mask_name(r["name"])
            for ref in finding["records"]
            for r in self.county.rosters.get(ref["source"], [])
            if r["record_id"] == ref["record_id"]
        }
        sources = sorted({ref["source"] for ref in finding["records"]})
        return f"{'、'.join(sorted(n for n in names if n)) or '—'}（{' / '.join(sources)}）"

    def findings(self, found: list[dict[str, Any]], applied: list[dict[str, Any]]) -> None:
        by_rule: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for f in found:
            by_rule[f["rule"]].append(f)
        duplicates = {r: fs for r, fs in by_rule.items() if fs[0]["kind"] == "duplicate"}
        missed = {r: fs for r, fs in by_rule.items() if fs[0]["kind"] == "missed"}
        self.heading(
            f"一、重复享受（不重复救助）：{sum(map(len, duplicates.values()))} 项 · duplicates caught"
        )
        for rule, fs in sorted(duplicates.items()):
            self.say(f"  {rule} {self.rules[rule].text.zh}：{len(fs)}")
            self.say(f"     例：{self._example(fs[0])}")
        self.heading(f"二、应保未保（应救尽救）：{sum(map(len, missed.values()))} 人次 · people missed")
        for rule, fs in sorted(missed.items()):
            self.say(f"  {rule} {self.rules[rule].text.zh}：{len(fs)}")
        towns = Counter(self.place(f["division_code"]) for fs in missed.values() for f in fs)
        if towns:
            self.say(
                "  谁去找他们（主动发现任务，按街道）："
                + "、".join(f"{t} {n} 人" for t, n in towns.most_common())
            )

    def economic(self, applied: list[dict[str, Any]]) -> None:
        failed = [a for a in applied if a["report"]["outcome"] != "meets"]
        self.heading(f"三、家庭经济状况核对：{len(applied)} 份申请，{len(failed)} 份未通过 · economic checks")
        for a in failed:
            reasons = "；".join(
                f"{r['id']} {r['description']['zh']}" for r in a["report"]["rules"] if r["result"] == "fail"
            )
            head = mask_name(a["body"]["members"][0]["name"])
            where = self.place(a["body"]["division_code"])
            self.say(f"  {head} 户（{len(a['body']['members'])} 人，{where}）：{reasons} → 不予批准")
        approved = sum(1 for a in applied if a["final"]["status"] == "active")
        self.say(f"  其余 {approved} 户核对通过，经公示后批准，已纳入低保")

    def feed(self, department: str, read: dict[str, tuple[int, int]]) -> None:
        name = DEPARTMENTS[department][0]
        self.heading("四、部门订阅 · a department reading its feed")
        (found, at_f), (enrolments, at_e) = read["findings"], read["enrolments"]
        self.say(f"  {name} 从 exchange 读取：核查结果 {found} 条，救助变动 {enrolments} 条")
        self.say(f"  （按游标分页续读，最后停在 seq {max(at_f, at_e)}，缺漏可由 prevseq 发现）")

    def self_check(
        self,
        found: list[dict[str, Any]],
        expected: Counter[oracle.Key],
        applied: list[dict[str, Any]],
        checks: dict[str, str],
    ) -> bool:
        got = oracle.found_keys(self.county, applied, found)
        self.heading("五、自检 · the demo checks itself against the generated truth")
        self.say("  同样的规则在真实身份上运行（不经比对），应得到与系统从脏数据中得到的完全相同的结果。")
        self.say(f"  {'规则':<6}{'应有 expected':>14}{'发现 found':>12}{'一致 match':>12}")
        rules = sorted({k[0] for k in expected} | {k[0] for k in got})
        ok = True
        for rule in rules:
            want = Counter({k: n for k, n in expected.items() if k[0] == rule})
            have = Counter({k: n for k, n in got.items() if k[0] == rule})
            same = want == have
            ok &= same
            self.say(f"  {rule:<6}{sum(want.values()):>14}{sum(have.values()):>12}{'✓' if same else '✗':>12}")
        agree = sum(1 for a in applied if a["report"]["outcome"] == checks[a["id"]])
        ok &= agree == len(applied)
        self.say(
            f"  经济核对结论与真实情况一致：{agree}/{len(applied)} {'✓' if agree == len(applied) else '✗'}"
        )
        planted = "，".join(f"{k} {v}" for k, v in self.county.planted.items())
        self.say(f"  （其中有意埋设：{planted}）")
        return ok

    def outro(self, seconds: float, passed: bool) -> None:
        self.say()
        verdict = "全部一致 ✓ — all findings match the ground truth" if passed else "存在差异 ✗ — see above"
        self.say(f"结论：{verdict}（用时 {seconds:.0f} 秒）")
