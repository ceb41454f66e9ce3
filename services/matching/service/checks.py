"""Real-time checks: who these people are, and what aid they already receive from every source.

The place an application is made is not used as identity evidence: a person aided in one county and
applying in another is exactly the duplicate to find, and a different county must not hide them.
A member is found by the in-memory index (linked candidates, with their evidence) and, to miss
nothing that has not been resolved yet, by its valid ID number directly in the database. The aid
of a person is every active record of theirs that stands for a programme.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from services.matching.adapters.orm import Record
from services.matching.adapters.repository import RecordRepository
from services.matching.domain.roster_records import valid_id18
from services.matching.domain.rules import ENDED, Fact, evaluate
from services.matching.domain.rules_config import RuleSet
from services.matching.engine.record import birth_date_of
from services.matching.service.findings import world_of
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
    def of(cls, r: Record) -> Aid:
        return cls(
            programme=r.programme or "",
            source=r.source,
            status=r.status,
            since=r.start_date,
            division_code=r.division_code,
            record_id=r.record_id,
            household_ref=r.household_ref,
            amount=str(r.amount) if r.amount is not None else None,
            attributes=r.attributes,
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
    session: Session, index: IdentityIndex, member: Mapping[str, Any], *, possible: bool = False
) -> list[PersonMatch]:
    """The persons a member is (linked), and with ``possible`` those they may be (grey zone)."""
    return _find(session, index, member, possible)[0]


def _find(
    session: Session, index: IdentityIndex, member: Mapping[str, Any], possible: bool
) -> tuple[list[PersonMatch], list[Record]]:
    """``find_persons``, and every record (ended ones too) of the persons found."""
    query = {"source": "check", "record_id": "-", **member}
    found: dict[str, PersonMatch] = {}
    for cand in index.query(query, limit=10):
        if cand.linked or (possible and cand.probability >= index.model.review_probability):
            found[cand.person_key] = PersonMatch(
                cand.person_key, cand.probability, cand.linked, "index", cand.evidence
            )
    repo = RecordRepository(session)
    id18 = valid_id18(member.get("id_number"))
    fetched = set(found)  # persons whose every record the next query reads
    records = repo.of_persons_or_id18(sorted(fetched), id18)
    for r in records:
        if id18 and r.id18 == id18 and r.active:
            key = r.person_id or f"record:{r.source}/{r.record_id}"
            found.setdefault(key, PersonMatch(key, 1.0, True, "id_number", None))
    more = sorted(p for p in found if p not in fetched and not p.startswith("record:"))
    if more:  # a person known by the ID number only (not yet in the index): their other records
        have = {r.pk for r in records}
        records += [r for r in repo.of_persons(more, active_only=False) if r.pk not in have]
    for r in records:
        key = r.person_id or f"record:{r.source}/{r.record_id}"
        if r.active and r.programme and key in found:
            found[key].aid.append(Aid.of(r))
    return sorted(found.values(), key=lambda m: (-m.linked, -m.probability, m.person_id)), records


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


def precheck(session: Session, index: IdentityIndex, request: PrecheckRequest) -> PrecheckResult:
    """intake's pre-check (``shared.contracts.precheck``): aid and applications elsewhere."""
    hits = []
    for m in request.members:
        member = {
            "id_number": m.id_number,
            "name": m.name,
            "birth_date": m.birth_date.isoformat() if m.birth_date else None,
            "sex": m.sex,
        }
        for a in current_aid(
            find_persons(session, index, member), exclude_application=request.application_id
        ):
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


def check(
    session: Session,
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
    known: list[Record] = []
    for i, m in enumerate(members):
        matches, records = _find(session, index, m, True)
        known += records
        linked = [p for p in matches if p.linked and not p.person_id.startswith("record:")]
        found.append(
            {"index": i, "matches": matches, "aid": current_aid(matches, exclude_application=application_id)}
        )
        if programme and linked:
            applied.append(_applied_for(m, i, linked[0].person_id, programme, division))
    conflicts = []
    if applied:
        world = world_of(session, [f.person for f in applied], utcnow().date(), extra=applied, known=known)
        own = f"{application_id}/" if application_id else None
        for person, facts in world.facts.items():
            world.facts[person] = [
                f for f in facts if not (own and f.source == INTAKE and f.record_id.startswith(own))
            ]
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
    return {"checked_at": utcnow(), "members": found, "conflicts": conflicts}
