"""Real-time checks: who these people are, and what aid they already receive from every source.

The place an application is made is not used as identity evidence: a person aided in one county and
applying in another is exactly the duplicate to find, and a different county must not hide them.
A member is found by the in-memory index (linked candidates, with their evidence) and, to miss
nothing that has not been resolved yet, by its valid ID number. The aid of a person is every
current record of theirs that stands for a programme. Everything is read from the process's
memory (the index and the ``FactStore`` beside it, refreshed from the database about every
second): a check never waits for the database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from services.matching.domain.roster_records import valid_id18
from services.matching.domain.rules import ENDED, Fact, World, evaluate
from services.matching.domain.rules_config import RuleSet
from services.matching.engine.record import birth_date_of
from services.matching.service.person_index import IdentityIndex
from shared.contracts.precheck import PrecheckHit, PrecheckRequest, PrecheckResult
from shared.events.outbox import utcnow

INTAKE = "intake"
APPLYING = "applying"


@dataclass
class Aid:
    programme: str
    source: str
    status: str | None
    since: date | None
    division_code: str | None
    record_id: str
    household_ref: str | None
    amount: str | None
    attributes: dict[str, Any] | None

    @classmethod
    def of(cls, f: Fact) -> Aid:
        return cls(
            programme=f.programme or "",
            source=f.source,
            status=f.status,
            since=f.start,
            division_code=f.division,
            record_id=f.record_id,
            household_ref=f.household.split(":", 1)[1] if f.household else None,
            amount=str(f.amount) if f.amount is not None else None,
            attributes=dict(f.attributes) or None,
        )

    @property
    def application_id(self) -> str | None:
        return self.record_id.split("/")[0] if self.source == INTAKE else None


@dataclass
class PersonMatch:
    person_id: str
    probability: float
    linked: bool
    via: str  # index | id_number
    evidence: list[dict[str, Any]] | None
    aid: list[Aid] = field(default_factory=list)


def find_persons(
    index: IdentityIndex, member: Mapping[str, Any], *, possible: bool = False
) -> list[PersonMatch]:
    """The persons a member is (linked), and with ``possible`` those they may be (grey zone)."""
    with index.lock:
        return _find(index, member, possible)


def _key(f: Fact) -> str:
    return f.person or f"record:{f.source}/{f.record_id}"


def _find(index: IdentityIndex, member: Mapping[str, Any], possible: bool) -> list[PersonMatch]:
    """``find_persons``, for callers that hold ``index.lock``."""
    query = {"source": "check", "record_id": "-", **member}
    found: dict[str, PersonMatch] = {}
    for cand in index.query(query, limit=10):
        if cand.linked or (possible and cand.probability >= index.model.review_probability):
            found[cand.person_key] = PersonMatch(
                cand.person_key, cand.probability, cand.linked, "index", cand.evidence
            )
    store = index.facts()
    id18 = valid_id18(member.get("id_number"))
    by_id = store.with_id18(id18) if id18 else []
    for f in by_id:  # also a person known by the ID number only (not yet in the index)
        found.setdefault(_key(f), PersonMatch(_key(f), 1.0, True, "id_number", None))
    facts = {f.ref: f for f in [*store.of_persons(sorted(found)), *by_id]}
    for f in facts.values():
        if f.programme and _key(f) in found:
            found[_key(f)].aid.append(Aid.of(f))
    for m in found.values():
        m.aid.sort(key=lambda a: (a.source, a.record_id))
    return sorted(found.values(), key=lambda m: (-m.linked, -m.probability, m.person_id))


def current_aid(matches: Sequence[PersonMatch], *, exclude_application: str | None = None) -> list[Aid]:
    """Distinct aid of a member's linked persons, without the application being checked."""
    seen: set[tuple[str, str]] = set()
    out = []
    for m in matches:
        if not m.linked:
            continue
        for a in m.aid:
            if (a.source, a.record_id) in seen:
                continue
            if exclude_application and a.application_id == exclude_application:
                continue
            seen.add((a.source, a.record_id))
            out.append(a)
    return out


def is_current(aid: Aid) -> bool:
    return (aid.status or "active").lower() not in ENDED


def precheck(index: IdentityIndex, request: PrecheckRequest) -> PrecheckResult:
    """intake's pre-check (``shared.contracts.precheck``): aid and applications elsewhere."""
    hits = []
    for m in request.members:
        member = {
            "id_number": m.id_number,
            "name": m.name,
            "birth_date": m.birth_date.isoformat() if m.birth_date else None,
            "sex": m.sex,
        }
        for a in current_aid(find_persons(index, member), exclude_application=request.application_id):
            if not is_current(a):
                continue
            applying = a.source == INTAKE and a.status == APPLYING
            hits.append(
                PrecheckHit(
                    member_index=m.index,
                    kind="applying" if applying else "aided",
                    programme=a.programme,
                    source=a.source,
                    division_code=a.division_code,
                    since=a.since,
                    reference=a.application_id if a.source == INTAKE else a.record_id,
                )
            )
    return PrecheckResult(status="hits" if hits else "clear", hits=hits, checked_at=utcnow())


NEW = "application"


def _applied_for(
    member: Mapping[str, Any], index: int, person: str, programme: str, division: str | None
) -> Fact:
    """The aid being applied for, as the record it would become, to see what it would collide with."""
    id18 = valid_id18(member.get("id_number"))
    return Fact(
        source=NEW,
        record_id=f"new/{index}",
        person=person,
        programme=programme,
        status="active",
        division=division,
        household=f"{NEW}:new",
        born=birth_date_of(member.get("birth_date"), id18),
    )


def _world(
    index: IdentityIndex, persons: list[str], applied: list[Fact], application_id: str | None
) -> World:
    """The applicants' current records and their housemates', with the aid applied for, less the
    application being checked (it must not collide with itself)."""
    store = index.facts()
    own = f"{application_id}/" if application_id else None
    facts: dict[str, list[Fact]] = {}
    for f in [*store.of_persons(sorted(set(persons))), *store.housemates(persons), *applied]:
        if not (own and f.source == INTAKE and f.record_id.startswith(own)):
            facts.setdefault(f.person, []).append(f)
    return World(facts, utcnow().date())


def check(
    index: IdentityIndex,
    rs: RuleSet,
    members: Sequence[Mapping[str, Any]],
    *,
    programme: str | None,
    division: str | None,
    application_id: str | None,
) -> dict[str, Any]:
    """Who each member is, the aid each already receives, and — when ``programme`` is given —
    the duplicate rules the new aid would break."""
    found = []
    applied: list[Fact] = []
    with index.lock:  # one consistent view of the index and the facts
        for i, m in enumerate(members):
            matches = _find(index, m, True)
            linked = [p for p in matches if p.linked and not p.person_id.startswith("record:")]
            aid = current_aid(matches, exclude_application=application_id)
            found.append({"index": i, "matches": matches, "aid": aid})
            if programme and linked:
                applied.append(_applied_for(m, i, linked[0].person_id, programme, division))
        world = _world(index, [f.person for f in applied], applied, application_id) if applied else None
    return {"checked_at": utcnow(), "members": found, "conflicts": _conflicts(rs, world, applied)}


def _conflicts(rs: RuleSet, world: World | None, applied: list[Fact]) -> list[dict[str, Any]]:
    """The duplicate rules the aid applied for would break."""
    if world is None:
        return []
    conflicts = []
    by_person = {f.person: f for f in applied}
    for hit in evaluate(rs, world, by_person, kinds=frozenset({"duplicate"})):
        mine = [by_person[p] for p in hit.persons if p in by_person and by_person[p].ref in hit.records]
        if mine:
            conflicts.append(
                {
                    "rule": hit.rule.id,
                    "severity": hit.rule.severity,
                    "description": {"en": hit.rule.text.en, "zh": hit.rule.text.zh},
                    "member_index": int(mine[0].record_id.split("/")[1]),
                    "person_id": mine[0].person,
                    "evidence": hit.evidence,
                }
            )
    return conflicts
