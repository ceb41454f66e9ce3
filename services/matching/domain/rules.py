"""The cross-check rules D1–D7 and G1–G6 (domain.md §5), in plain Python over one ``World``.

A ``World`` holds the records of some persons and of everyone who shares a household with them.
Each rule kind is a function of (rule, rule set, world, person) that returns its hits; a hit knows
its persons, households, records and evidence, and a fingerprint that stays the same on every
run while the same persons are in the same situation, so a decided finding stays decided.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import pairwise
from typing import Any

from services.matching.domain.rules_config import Rule, RuleSet

ENDED = frozenset({"ended", "stopped", "terminated", "exited", "cancelled", "denied", "withdrawn"})
Ref = tuple[str, str]


@dataclass(frozen=True, eq=False, slots=True)
class Fact:
    """One record as the rules see it."""

    source: str
    record_id: str
    person: str
    programme: str | None = None
    status: str | None = None
    active: bool = True
    start: date | None = None
    end: date | None = None
    amount: Decimal | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)
    division: str | None = None
    household: str | None = None  # "source:household_ref"
    born: date | None = None
    id18: str | None = None  # the valid resident ID number, normalised

    @property
    def ref(self) -> Ref:
        return (self.source, self.record_id)

    @property
    def receiving(self) -> bool:
        """Aid being received now (not applied for, not a past one-off payment, not ended)."""
        status = (self.status or "active").lower()
        return self.active and status not in ENDED and status not in ("applying", "paid")

    @property
    def applying(self) -> bool:
        return self.active and (self.status or "").lower() == "applying"


@dataclass
class World:
    facts: dict[str, list[Fact]]  # person → records
    today: date
    households: dict[str, set[str]] = field(default_factory=dict)  # household → persons

    def __post_init__(self) -> None:
        if not self.households:
            for person, facts in self.facts.items():
                for f in facts:
                    if f.household:
                        self.households.setdefault(f.household, set()).add(person)

    def age(self, person: str) -> int | None:
        born = next((f.born for f in self.facts.get(person, []) if f.born), None)
        if born is None:
            return None
        return self.today.year - born.year - ((self.today.month, self.today.day) < (born.month, born.day))

    def housemates(self, person: str) -> set[str]:
        out: set[str] = set()
        for f in self.facts.get(person, []):
            if f.household and f.receiving:
                out |= self.households.get(f.household, set())
        return out - {person}


@dataclass(frozen=True)
class Hit:
    rule: Rule
    persons: tuple[str, ...]
    records: tuple[Ref, ...]
    evidence: dict[str, Any]
    households: tuple[str, ...] = ()
    division: str | None = None
    programmes: tuple[str, ...] = ()

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.rule.id, self.persons, self.households)


def fingerprint(rule: str, persons: Iterable[str], households: Iterable[str]) -> str:
    """What makes a finding the same finding on every run: its rule, persons and households."""
    key = "|".join([rule, ",".join(sorted(set(persons))), ",".join(sorted(set(households)))])
    return hashlib.sha256(key.encode()).hexdigest()[:40]


def _hit(rule: Rule, persons: Iterable[str], facts: list[Fact], evidence: dict[str, Any], **kw: Any) -> Hit:
    facts = sorted(facts, key=lambda f: f.ref)
    return Hit(
        rule=rule,
        persons=tuple(sorted(set(persons))),
        records=tuple(f.ref for f in facts),
        evidence={
            "records": [
                {
                    "source": f.source,
                    "record_id": f.record_id,
                    "programme": f.programme,
                    "status": f.status,
                    "since": f.start.isoformat() if f.start else None,
                    "division_code": f.division,
                }
                for f in facts
            ],
            **evidence,
        },
        households=tuple(sorted({f.household for f in facts if f.household} | set(kw.get("households", ())))),
        division=next((f.division for f in facts if f.division), None),
        programmes=tuple(sorted({f.programme for f in facts if f.programme})),
    )


def _in(rs: RuleSet, group: str, facts: Iterable[Fact], *, receiving: bool = True) -> list[Fact]:
    codes = rs.programmes[group]
    return [f for f in facts if f.programme in codes and (f.receiving if receiving else f.active)]


def _fact(rs: RuleSet, name: str, facts: Iterable[Fact]) -> list[Fact]:
    return [f for f in facts if f.active and f.source in rs.facts[name]]


def _grade(f: Fact) -> int | None:
    try:
        return int(f.attributes.get("grade") or f.attributes.get("disability_grade") or 0) or None
    except (TypeError, ValueError):
        return None


def _severe(rs: RuleSet, facts: list[Fact]) -> list[Fact]:
    grades = set(rs.thresholds["severe_disability_grades"])
    return [f for f in _fact(rs, "disability", facts) if _grade(f) in grades]


# -- duplicates ------------------------------------------------------------------------------
def exclusive(rule: Rule, rs: RuleSet, world: World, person: str) -> list[Hit]:
    facts = world.facts.get(person, [])
    p = rule.params
    if p.get("minor_only"):
        age = world.age(person)
        if age is None or age >= rs.thresholds["minor_age"]:
            return []
    hits = []
    for a, b in [(p["a"], p["b"]), *[tuple(x) for x in p.get("also", [])]]:
        left, right = _in(rs, a, facts), _in(rs, b, facts)
        if left and right:
            hits.append(_hit(rule, [person], left + right, {"groups": [a, b]}))
    return hits[:1]  # one finding per person and rule


def same_programme_twice(rule: Rule, rs: RuleSet, world: World, person: str) -> list[Hit]:
    facts = world.facts.get(person, [])
    for group in rule.params["programmes"]:
        current = _in(rs, group, facts)
        places = {(f.division or "")[:6] for f in current}
        homes = {f.household for f in current if f.household}
        if len(current) >= 2 and (len(places) >= 2 or len(homes) >= 2):
            return [_hit(rule, [person], current, {"group": group, "counties": sorted(places)})]
    return []


def paid_after(rule: Rule, rs: RuleSet, world: World, person: str) -> list[Hit]:
    facts = world.facts.get(person, [])
    events = [f for name in rule.params["facts"] for f in _fact(rs, name, facts)]
    paid = [f for f in facts if f.receiving and f.programme and rs.group_of(f.programme)]
    if events and paid:
        kinds = sorted({rs.fact_of(f.source) or "" for f in events})
        return [_hit(rule, [person], events + paid, {"facts": kinds})]
    return []


def repeated(rule: Rule, rs: RuleSet, world: World, person: str) -> list[Hit]:
    facts = [
        f for f in _in(rs, rule.params["programme"], world.facts.get(person, []), receiving=False) if f.start
    ]
    window = rs.threshold("linshi_window_days", facts[0].division if facts else None)
    by_reason: dict[str, list[Fact]] = {}
    for f in facts:
        reason = str(f.attributes.get("reason") or "") if rule.params.get("same_reason") else ""
        by_reason.setdefault(reason, []).append(f)
    for reason, group in sorted(by_reason.items()):
        group.sort(key=lambda f: f.start or date.min)
        close = [
            (x, y) for x, y in pairwise(group) if x.start and y.start and (y.start - x.start).days <= window
        ]
        if close:
            hit_facts = list({f.ref: f for pair in close for f in pair}.values())
            return [_hit(rule, [person], hit_facts, {"reason": reason or None, "window_days": window})]
    return []


# -- missed aid (each becomes an outreach task) ----------------------------------------------
def missed_living_subsidy(rule: Rule, rs: RuleSet, world: World, person: str) -> list[Hit]:
    facts = world.facts.get(person, [])
    cert, dibao = _fact(rs, "disability", facts), _in(rs, "dibao", facts)
    if cert and dibao and not _in(rs, "disability_living", facts, receiving=False):
        return [_hit(rule, [person], cert + dibao, {"missing": "disability_living"})]
    return []


def missed_care_subsidy(rule: Rule, rs: RuleSet, world: World, person: str) -> list[Hit]:
    facts = world.facts.get(person, [])
    t = rs.thresholds
    qualifying = [
        f
        for f in _fact(rs, "disability", facts)
        if _grade(f) in set(t["severe_disability_grades"])
        or (
            _grade(f) in set(t["care_mental_grades"])
            and f.attributes.get("category") in t["care_mental_categories"]
        )
    ]
    if qualifying and not _in(rs, "disability_care", facts, receiving=False):
        return [
            _hit(rule, [person], qualifying, {"grade": _grade(qualifying[0]), "missing": "disability_care"})
        ]
    return []


def _has_income(rs: RuleSet, facts: list[Fact]) -> bool:
    return any((f.amount or 0) > 0 for f in _fact(rs, "income", facts))


def possible_tekun(rule: Rule, rs: RuleSet, world: World, person: str) -> list[Hit]:
    facts = world.facts.get(person, [])
    t = rs.thresholds
    age = world.age(person)
    aged = age is not None and (age >= t["elderly_age"] or age < t["child_age"])
    severe = _severe(rs, facts)
    if not (aged or severe) or _has_income(rs, facts):
        return []
    if _in(rs, "tekun", facts, receiving=False) or not any(f.receiving and f.household for f in facts):
        return []  # in 特困 already (or applying), or in no household we know of
    for mate in world.housemates(person):
        mate_age = world.age(mate)
        able = mate_age is not None and t["child_age"] + 2 <= mate_age < t["elderly_age"]
        if able and not _severe(rs, world.facts.get(mate, [])) and not _fact(rs, "death", world.facts[mate]):
            return []  # an able supporter
    household = [f for f in facts if f.receiving and f.household]
    return [_hit(rule, [person], household + severe, {"age": age, "severe_disability": bool(severe)})]


def single_person_dibao(rule: Rule, rs: RuleSet, world: World, person: str) -> list[Hit]:
    facts = world.facts.get(person, [])
    edge = _in(rs, "dibao_edge", facts)
    ill = [f for f in _fact(rs, "medical", facts) if f.attributes.get("serious_illness")]
    reasons = _severe(rs, facts) + ill
    if edge and reasons and not _in(rs, "dibao", facts, receiving=False):
        return [
            _hit(
                rule,
                [person],
                edge + reasons,
                {"severe_disability": bool(_severe(rs, facts)), "serious_illness": bool(ill)},
            )
        ]
    return []


def tekun_ended(rule: Rule, rs: RuleSet, world: World, person: str) -> list[Hit]:
    facts = world.facts.get(person, [])
    window = rs.threshold("tekun_ended_window_days")
    ended = [
        f
        for f in facts
        if f.programme in rs.programmes["tekun"]
        and not f.receiving
        and not f.applying
        and f.end is not None
        and 0 <= (world.today - f.end).days <= window
    ]
    if not ended or _in(rs, "tekun", facts):
        return []
    assessed = [f for g in ("dibao", "linshi") for f in _in(rs, g, facts, receiving=False)]
    if assessed:
        return []
    return [_hit(rule, [person], ended, {"ended_on": max(f.end for f in ended if f.end).isoformat()})]


def income_shock(rule: Rule, rs: RuleSet, world: World, person: str) -> list[Hit]:
    """Reported once per household, on the household's first person (by id)."""
    facts = world.facts.get(person, [])
    low = _in(rs, "dibao", facts) + _in(rs, "dibao_edge", facts)
    if not low:
        return []
    members = sorted({person} | world.housemates(person))
    if person != members[0]:
        return []
    t = rs.thresholds
    signals: list[tuple[str, Fact]] = []
    for m in members:
        mf = world.facts.get(m, [])
        signals += [
            ("contributions_stopped", f) for f in mf if f.source in rs.facts["contribution"] and not f.active
        ]
        signals += [("unemployment", f) for f in _fact(rs, "unemployment", mf)]
        age = world.age(m)
        if age is not None and t["child_age"] + 2 <= age < t["elderly_age"]:
            signals += [("breadwinner_died", f) for f in _fact(rs, "death", mf)]
        high = rs.threshold("medical_out_of_pocket_high", facts[0].division)
        signals += [
            ("high_medical_costs", f)
            for f in _fact(rs, "medical", mf)
            if Decimal(str(f.attributes.get("out_of_pocket") or 0)) >= Decimal(str(high))
        ]
    if not signals:
        return []
    households = sorted({f.household for f in low if f.household})
    aided = [
        f
        for m in members
        for group in ("dibao", "dibao_edge")
        for f in _in(rs, group, world.facts.get(m, []))
    ]
    return [
        _hit(
            rule,
            members,
            aided + [f for _, f in signals],  # every member's aid: the same whoever is "first"
            {"signals": sorted({s for s, _ in signals})},
            households=households,
        )
    ]


KINDS: dict[str, Callable[[Rule, RuleSet, World, str], list[Hit]]] = {
    "exclusive": exclusive,
    "same_programme_twice": same_programme_twice,
    "paid_after": paid_after,
    "repeated": repeated,
    "missed_living_subsidy": missed_living_subsidy,
    "missed_care_subsidy": missed_care_subsidy,
    "possible_tekun": possible_tekun,
    "single_person_dibao": single_person_dibao,
    "tekun_ended": tekun_ended,
    "income_shock": income_shock,
}


def evaluate(
    rs: RuleSet, world: World, persons: Iterable[str], *, kinds: frozenset[str] | None = None
) -> list[Hit]:
    """Every hit of every rule in force for ``persons`` (deduplicated by fingerprint)."""
    found: dict[str, Hit] = {}
    for rule in rs.rules:
        if not rule.in_force(world.today) or (kinds is not None and rule.finding_kind not in kinds):
            continue
        for person in sorted(persons):
            for hit in KINDS[rule.kind](rule, rs, world, person):
                found.setdefault(hit.fingerprint, hit)
    return list(found.values())
