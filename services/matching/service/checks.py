"""Real-time checks: who these people are, and what aid they already receive from every source.

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
    query = {"source": "check", "record_id": "-", **member}
    found: dict[str, PersonMatch] = {}
    for cand in index.current().query(query, limit=10):
        if cand.linked or (possible and cand.probability >= index.model.review_probability):
            found[cand.person_key] = PersonMatch(
                cand.person_key, cand.probability, cand.linked, "index", cand.evidence
            )
    repo = RecordRepository(session)
    id18 = valid_id18(member.get("id_number"))
    direct = repo.with_id18([id18]) if id18 else []
    for r in direct:
        key = r.person_id or f"record:{r.source}/{r.record_id}"
        if key not in found:
            found[key] = PersonMatch(key, 1.0, True, "id_number", None)
    persons = [p for p in found if not p.startswith("record:")]
    records = repo.of_persons(persons) + [r for r in direct if r.person_id is None]
    for r in records:
        key = r.person_id or f"record:{r.source}/{r.record_id}"
        if r.programme and key in found:
            found[key].aid.append(Aid.of(r))
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


ENDED_STATUSES = frozenset({"ended", "stopped", "terminated", "exited", "cancelled", "denied", "withdrawn"})


def is_current(aid: Aid) -> bool:
    return (aid.status or "active").lower() not in ENDED_STATUSES


def precheck(session: Session, index: IdentityIndex, request: PrecheckRequest) -> PrecheckResult:
    """intake's pre-check (``shared.contracts.precheck``): aid and applications elsewhere."""
    hits = []
    for m in request.members:
        member = {
            "id_number": m.id_number,
            "name": m.name,
            "birth_date": m.birth_date.isoformat() if m.birth_date else None,
            "sex": m.sex,
            "division_code": request.division_code,
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
