"""A small synthetic county for the demo: households in a few townships, the rosters six
departments keep about them (with the dirt real rosters have), the applications townships will
submit, and the truth — who each record really is.

Deterministic for a seed. Planted on purpose, beside whatever the random rosters produce:
people in 低保 and 特困 at once under a mistyped or old ID (D1), people paid after their death
(D6), severely disabled people without the care subsidy (G2), and applicants whose household
has a pension the application does not mention (the economic check fails).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from shared.codes.divisions import DivisionTable
from shared.codes.idnumber import check_character

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉鹏斌宇浩凯健俊帆婷雪琳晨阳佳欣怡子涵梓轩"
)
TRADITIONAL = str.maketrans(
    "张刘陈杨黄赵吴孙马郑谢邓冯韩叶苏吕伟丽军杰娟涛华兰萍红国辉鹏健凯俊帆婷雪晨阳欣轩",
    "張劉陳楊黃趙吳孫馬鄭謝鄧馮韓葉蘇呂偉麗軍傑娟濤華蘭萍紅國輝鵬健凱俊帆婷雪晨陽欣軒",
)
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
TODAY = date.today()


@dataclass
class Person:
    id18: str
    name: str
    male: bool
    born: date
    household: str
    township: str
    village: str
    relationship: str  # GB/T 4761: 02 head … 10 spouse, 20 child, 50 parent

    @property
    def age(self) -> int:
        return TODAY.year - self.born.year - ((TODAY.month, TODAY.day) < (self.born.month, self.born.day))


@dataclass
class County:
    code: str
    name: str
    townships: list[tuple[str, str]]
    persons: list[Person]
    rosters: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    truth: dict[tuple[str, str], str] = field(default_factory=dict)  # (source, record_id) → true ID
    applications: list[dict[str, Any]] = field(default_factory=list)  # with "_truth" and "_expect"
    planted: dict[str, int] = field(default_factory=dict)

    def households(self) -> dict[str, list[Person]]:
        out: dict[str, list[Person]] = {}
        for p in self.persons:
            out.setdefault(p.household, []).append(p)
        return out


DEPARTMENTS = {  # code → (name, rosters it publishes)
    "mca": ("区民政局", ["mca.dibao", "mca.tekun"]),
    "cdpf": ("区残疾人联合会", ["cdpf.disability", "cdpf.subsidy"]),
    "mohrss": ("区人力资源和社会保障局", ["mohrss.pension"]),
    "nhsa": ("区医疗保障局", ["nhsa.medical"]),
    "mps": ("区公安分局", ["mps.death"]),
    "edu": ("区教育局", ["edu.student_aid"]),
}


class Generator:
    def __init__(self, seed: int, county: str) -> None:
        self.rng = random.Random(seed)
        self.table = DivisionTable.load()
        self.county_code = county
        self.serial = 0

    def _id(self, born: date, male: bool) -> str:
        self.serial += 1
        seq = (self.serial * 2 + (1 if male else 0)) % 1000
        first17 = f"{self.county_code}{born:%Y%m%d}{seq:03d}"
        return first17 + check_character(first17)

    def _name(self) -> str:
        r = self.rng
        return r.choice(SURNAMES) + "".join(r.choice(GIVEN) for _ in range(r.choice((1, 2, 2))))

    def _born(self, low: int, high: int) -> date:
        """A birth date between ``low`` and ``high`` years ago (never in the future)."""
        return TODAY - timedelta(days=self.rng.randint(low * 365 + 1, high * 365 + 364))

    def county(self, households: int) -> County:
        townships = [(d.code, d.name) for d in self.table.children(self.county_code)[:4]]
        villages = {t: [d.code for d in self.table.children(t)[:3]] or [t + "001"] for t, _ in townships}
        persons = []
        for h in range(households):
            township = self.rng.choice(townships)[0]
            village = self.rng.choice(villages[township])
            hid = f"H{h:05d}"
            size = self.rng.choices((1, 2, 3, 4), (30, 30, 25, 15))[0]
            if size == 1:
                roles = [("02", self._born(18, 90))]
            else:
                head = self._born(25, 75)
                roles = [
                    ("02", head),
                    ("10", self._born(max(18, TODAY.year - head.year - 5), TODAY.year - head.year + 5)),
                ]
                roles += [("20", self._born(0, 17)) for _ in range(size - 2)]
            for k, (rel, born) in enumerate(roles):
                male = (k == 0) == (self.rng.random() < 0.6) if rel != "20" else self.rng.random() < 0.5
                persons.append(
                    Person(self._id(born, male), self._name(), male, born, hid, township, village, rel)
                )
        name = self.table.name(self.county_code) or self.county_code
        return County(self.county_code, name, townships, persons)


def dirty_id(rng: random.Random, id18: str) -> str | None:
    """The ID as a clerk might have typed it: usually clean, sometimes spaced, full-width, lower-case
    x, the old 15-digit form, or missing."""
    r = rng.random()
    if r < 0.70:
        return id18
    if r < 0.78:
        return f"{id18[:6]} {id18[6:14]} {id18[14:]}"
    if r < 0.85:
        return id18.translate(FULL_WIDTH)
    if r < 0.90 and id18[6:8] == "19":
        return id18[:6] + id18[8:17]  # 15 digits: no century, no check character
    if r < 0.95:
        return id18.replace("X", "x")
    return None


def record(rng: random.Random, source: str, rid: str, p: Person, **aid: Any) -> dict[str, Any]:
    birth = rng.choice(
        (p.born.isoformat(), f"{p.born:%Y%m%d}", f"{p.born.year}年{p.born.month}月{p.born.day}日")
    )
    name = p.name.translate(TRADITIONAL) if rng.random() < 0.08 else p.name
    return {
        "record_id": rid,
        "source": source,
        "id_number": dirty_id(rng, p.id18),
        "name": name,
        "sex": "男" if p.male else "女",
        "birth_date": birth,
        "division_code": p.village,
        "household_ref": p.household,
        **aid,
    }


def mistyped(rng: random.Random, id18: str) -> str:
    """One digit of the sequence changed: the check character no longer fits."""
    i = rng.randint(14, 16)
    digit = str((int(id18[i]) + rng.randint(1, 9)) % 10)
    return id18[:i] + digit + id18[i + 1 :]


def rosters(c: County, rng: random.Random) -> None:
    homes = c.households()
    add = c.rosters.setdefault
    truth = c.truth

    def put(source: str, p: Person, **aid: Any) -> dict[str, Any]:
        rid = f"{source.split('.')[1][:2].upper()}{len(c.rosters.get(source, [])) + 1:05d}"
        rec = record(rng, source, rid, p, **aid)
        add(source, []).append(rec)
        truth[(source, rid)] = p.id18
        return rec

    dibao_homes = [h for h in homes if rng.random() < 0.10]
    dibao_people = [p for h in dibao_homes for p in homes[h]]
    for p in dibao_people:
        put("mca.dibao", p, programme="dibao_urban", status="active", start_date="2024-03-01", amount="820")
    single_old = [
        ms[0] for ms in homes.values() if len(ms) == 1 and ms[0].age >= 60 and ms[0] not in dibao_people
    ]
    for p in rng.sample(single_old, k=min(len(single_old), max(3, len(single_old) // 8))):
        put("mca.tekun", p, programme="tekun_home", status="active", start_date="2023-07-01", amount="1450")
    adults = [p for p in dibao_people if p.age >= 18]
    twice = rng.sample(adults, k=min(12, len(adults)))  # D1, under a mistyped or an old ID
    for k, p in enumerate(twice):
        rec = put(
            "mca.tekun", p, programme="tekun_home", status="active", start_date="2025-01-01", amount="1450"
        )
        rec["id_number"] = (
            mistyped(rng, p.id18) if k % 2 else (p.id18[:6] + p.id18[8:17] if p.born.year < 2000 else p.id18)
        )
    c.planted["D1"] = len(twice)

    disabled = rng.sample(c.persons, k=len(c.persons) // 25)
    without_care = 0
    for p in disabled:
        grade = rng.choice((1, 2, 3, 4))
        category = rng.choice(("physical", "visual", "hearing", "intellectual", "mental"))
        put("cdpf.disability", p, status="active", attributes={"grade": grade, "category": category})
        severe = grade <= 2 or category in ("intellectual", "mental")
        if severe and rng.random() < 0.8:
            put("cdpf.subsidy", p, programme="disability_care_subsidy", status="active", amount="100")
        elif severe:
            without_care += 1
        if p in dibao_people and rng.random() < 0.8:
            put("cdpf.subsidy", p, programme="disability_living_subsidy", status="active", amount="80")
    c.planted["G2"] = without_care

    for p in c.persons:
        if p.age >= 60 and rng.random() < 0.7 and p not in dibao_people:
            put(
                "mohrss.pension",
                p,
                programme="pension_basic",
                status="active",
                amount=str(rng.randint(1600, 4200)),
            )
        if rng.random() < 0.03:
            illness = rng.random() < 0.3
            put(
                "nhsa.medical",
                p,
                status="active",
                attributes={"out_of_pocket": rng.randint(500, 40000), "serious_illness": illness},
            )
        if p.relationship == "20" and p in dibao_people and p.age >= 6:
            put("edu.student_aid", p, programme="student_aid_compulsory", status="active", amount="625")
    dead = rng.sample([p for p in dibao_people if p.age >= 50] or dibao_people, k=min(5, len(dibao_people)))
    for p in dead:
        put("mps.death", p, status="active", start_date=f"{TODAY.year - 1}-10-12")  # the date of death
    c.planted["D6"] = len(dead)


def applications(c: County, rng: random.Random, count: int) -> None:
    """Households with no aid apply for 低保 at their township; a third of them hold pensions
    their application leaves out (the economic check will find them)."""
    aided = set(c.truth.values())
    pension = {
        c.truth[k]: float(r["amount"]) for k in c.truth if k[0] == "mohrss.pension" for r in [_find(c, k)]
    }
    homes = c.households().values()
    plain = [ms for ms in homes if len(ms) >= 2 and not aided & {p.id18 for p in ms}]
    rich = [
        ms
        for ms in homes
        if not (aided - set(pension)) & {p.id18 for p in ms}
        and sum(pension.get(p.id18, 0) for p in ms) / len(ms) > 1500
    ]
    chosen = rng.sample(plain, k=min(count - count // 3, len(plain)))
    chosen += rng.sample(rich, k=min(count // 3, len(rich)))
    for members in chosen:
        head = members[0]
        c.applications.append(
            {
                "programme": "dibao_urban",
                "channel": "in_person",
                "division_code": head.township,
                "area_type": "urban",
                "address": f"{head.village[-3:]}号院",
                "members": [
                    {"name": p.name, "id_number": p.id18, "relationship": p.relationship} for p in members
                ],
                "income": [{"kind": "wage", "monthly_amount": "600", "member_index": 0, "irregular": True}],
                "property": [],
                "authorisation_signed_on": TODAY.isoformat(),
            }
        )


def _find(c: County, key: tuple[str, str]) -> dict[str, Any]:
    return next(r for r in c.rosters[key[0]] if r["record_id"] == key[1])


def make_county(
    households: int = 1500, seed: int = 20261130, county: str = "330106", applications_count: int = 18
) -> County:
    gen = Generator(seed, county)
    c = gen.county(households)
    rosters(c, gen.rng)
    applications(c, gen.rng, applications_count)
    return c
