"""``make demo``: the whole county in one command.

Starts the three services, publishes six departments' rosters through exchange, submits
applications through intake's workflow (the economic check included), lets matching work out who
is who and run its rules, shows what a department reads from its feed, and prints what the system
found. Then it checks itself: the same rules run over the *true* identities of the generated
records must give exactly the findings the system raised from the dirty ones, and each economic
check must reach the outcome the household's true facts give.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson

from demo import oracle
from demo.county import DEPARTMENTS, County, make_county
from demo.report import Report
from demo.stack import Stack
from shared.auth import mint_token
from shared.codes.uscc import check_character as uscc_check
from shared.settings import DEV_JWT_SECRET, audience_for

TODAY = date.today()


def token(service: str, *scopes: str, division: str | None = None, subject: str = "demo") -> dict[str, str]:
    raw = mint_token(
        DEV_JWT_SECRET, subject=subject, audience=audience_for(service), scopes=scopes, division=division
    )
    return {"Authorization": f"Bearer {raw}"}


def ok(response: httpx.Response) -> Any:
    if response.status_code >= 300:
        asked = f"{response.request.method} {response.request.url.path}"
        raise RuntimeError(f"{asked}: {response.status_code} {response.text[:300]}")
    return response.json() if response.content else None


def departments(http: httpx.Client, stack: Stack, county: County) -> dict[str, dict[str, str]]:
    """Each department registered with a client that publishes its rosters (and reads feeds)."""
    admin = token("exchange", "exchange:admin", subject="county:admin")
    clients = {}
    for k, (code, (name, sources)) in enumerate(DEPARTMENTS.items()):
        first17 = f"11{county.code}{k + 1:09d}"
        body = {
            "code": code,
            "name": name,
            "uscc": first17 + uscc_check(first17),
            "division_code": county.code,
        }
        ok(http.post(f"{stack.urls['exchange']}/v1/admin/departments", json=body, headers=admin))
        scopes = ["rosters:publish", "feeds:findings", "feeds:enrolments", "programme:*", "fields:identity"]
        made = ok(
            http.post(
                f"{stack.urls['exchange']}/v1/admin/clients",
                json={
                    "department_code": code,
                    "name": f"{name} 数据对接",
                    "scopes": scopes,
                    "sources": sources,
                },
                headers=admin,
            )
        )
        grant = http.post(
            f"{stack.urls['exchange']}/oauth/token",
            content="grant_type=client_credentials",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            auth=(made["client_id"], made["client_secret"]),
        )
        clients[code] = {"Authorization": f"Bearer {ok(grant)['access_token']}"}
    return clients


def publish(
    http: httpx.Client, stack: Stack, county: County, clients: dict[str, dict[str, str]]
) -> dict[str, int]:
    counts = {}
    for source, records in county.rosters.items():
        body = b"".join(orjson.dumps(r) + b"\n" for r in records)
        headers = {**clients[source.split(".")[0]], "Content-Type": "application/x-ndjson"}
        answer = ok(
            http.post(f"{stack.urls['exchange']}/v1/rosters/{source}/snapshot", content=body, headers=headers)
        )
        counts[source] = int(answer["counts"]["inserted"])
    return counts


def settle(http: httpx.Client, stack: Stack, quiet_rounds: int = 4) -> None:
    """Wait until matching has taken every intake event, resolved every record and run its rules."""
    review = token("matching", "matching:review")
    last, quiet, deadline = None, 0, time.monotonic() + 600
    while quiet < quiet_rounds:
        if time.monotonic() > deadline:
            raise RuntimeError("matching did not settle in ten minutes")
        metrics = http.get(f"{stack.urls['matching']}/metrics").text
        pending = next(
            (
                float(line.split()[-1])
                for line in metrics.splitlines()
                if line.startswith("snx_records_pending ")
            ),
            1,
        )
        intake_head = ok(
            http.get(
                f"{stack.urls['intake']}/internal/events",
                params={"after": 0, "limit": 1},
                headers=token("intake", "events:read"),
            )
        )["last_seq"]
        position = next(
            (
                float(line.split()[-1])
                for line in metrics.splitlines()
                if line.startswith('snx_feed_consumer_position{feed="intake"}')
            ),
            0,
        )
        total = ok(http.get(f"{stack.urls['matching']}/v1/findings", params={"limit": 1}, headers=review))[
            "total"
        ]
        state = (pending, position >= intake_head, total)
        quiet = quiet + 1 if state == last and pending == 0 and position >= intake_head else 0
        last = state
        time.sleep(0.7)


def day(n: int) -> str:
    return (TODAY - timedelta(days=40) + timedelta(days=n)).isoformat()


def apply_all(http: httpx.Client, stack: Stack, county: County) -> list[dict[str, Any]]:
    """Each application through the township's workflow; the economic check decides the opinion."""
    out = []
    base = stack.urls["intake"]
    for k, body in enumerate(county.applications):
        township = body["division_code"]
        staff = token(
            "intake", "intake:read", "intake:write", division=township, subject=f"township:{township}"
        )
        centre = token(
            "intake", "intake:read", "intake:check", division=county.code, subject="county:check-centre"
        )
        decider = token(
            "intake", "intake:read", "intake:decide", division=county.code, subject="county:civil-affairs"
        )
        created = ok(
            http.post(f"{base}/v1/applications", json=body, headers={**staff, "Idempotency-Key": f"demo-{k}"})
        )
        app_id = created["id"]

        def act(action: str, who: dict[str, str] = staff, app_id: str = app_id, **facts: Any) -> Any:
            return ok(http.post(f"{base}/v1/applications/{app_id}/{action}", json=facts, headers=who))

        act("accept", on=day(0))
        act("investigate", on=day(1), investigators=["社区干部甲", "社区干部乙"], findings="入户调查属实")
        act("request-check", on=day(2))
        ok(http.post(f"{base}/v1/applications/{app_id}/economic-check", json={"on": day(3)}, headers=centre))
        history = ok(http.get(f"{base}/v1/applications/{app_id}/history", headers=staff))
        report = next(h for h in history if h["action"] == "report_check")["details"]["report"]
        if report["outcome"] == "meets":
            act("give-opinion", on=day(5), recommendation="approve", proposed_amount="640.00")
            act("publish-notice", on=day(6), start_on=day(6))
            act("close-notice", on=day(13))
            final = act("approve", decider, on=day(14), amount="640.00", method="difference")
        else:
            act("give-opinion", on=day(5), recommendation="deny")
            act("refer", on=day(6))
            reasons = [r["description"]["zh"] for r in report["rules"] if r["result"] == "fail"]
            final = act("deny", decider, on=day(8), reasons=reasons)
        out.append({"id": app_id, "body": body, "report": report, "final": final})
    return out


def findings(http: httpx.Client, stack: Stack) -> list[dict[str, Any]]:
    review = token("matching", "matching:review")
    items: list[dict[str, Any]] = []
    while True:
        page = ok(
            http.get(
                f"{stack.urls['matching']}/v1/findings",
                params={"status": "open", "limit": 500, "offset": len(items)},
                headers=review,
            )
        )
        items += page["items"]
        if len(items) >= page["total"] or not page["items"]:
            return items


def read_feed(http: httpx.Client, stack: Stack, who: dict[str, str], feed: str) -> tuple[int, int]:
    """(events read, the cursor it ends at): a department paging through its feed."""
    after, count = 0, 0
    while True:
        page = ok(
            http.get(
                f"{stack.urls['exchange']}/v1/feeds/{feed}",
                params={"after": after, "limit": 200},
                headers=who,
            )
        )
        count += len(page["events"])
        after = page["next_after"]
        if not page["has_more"]:
            return count, after


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="make demo", description=__doc__)
    ap.add_argument("--households", type=int, default=1500)
    ap.add_argument("--applications", type=int, default=18)
    ap.add_argument("--seed", type=int, default=20261130)
    ap.add_argument("--county", default="330106", help="a county division code (330106: 杭州市西湖区)")
    ap.add_argument("--folder", help="keep the databases and logs here (default: a new temporary folder)")
    args = ap.parse_args(argv)
    started = time.monotonic()
    county = make_county(args.households, args.seed, args.county, args.applications)
    folder = Path(args.folder) if args.folder else Path(tempfile.mkdtemp(prefix="snx-demo-"))
    report = Report(county)
    report.intro(folder)
    with Stack(folder) as stack, httpx.Client(timeout=120) as http:
        report.step("三个服务已启动 (intake, matching, exchange)")
        clients = departments(http, stack, county)
        report.published(publish(http, stack, county, clients))
        settle(http, stack)
        report.step("比对服务已完成身份识别与交叉核查")
        applied = apply_all(http, stack, county)
        settle(http, stack)
        report.step(f"{len(applied)} 份低保申请已走完乡镇受理、调查、核对、审批流程")
        found = findings(http, stack)
        feed = {name: read_feed(http, stack, clients["mca"], name) for name in ("findings", "enrolments")}
    expected = oracle.expected_findings(county, applied)
    checks = oracle.expected_checks(county, applied)
    report.findings(found, applied)
    report.economic(applied)
    report.feed("mca", feed)
    passed = report.self_check(found, expected, applied, checks)
    report.outro(time.monotonic() - started, passed)
    return 0 if passed else 1
