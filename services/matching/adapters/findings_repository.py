"""SQL of findings, their persons and outreach tasks, and the record reads the rules need."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session

from services.matching.adapters.orm import Finding, FindingPerson, OutreachTask, Record, RulesState
from services.matching.adapters.repository import PAIR_CHUNK, chunks
from shared.db import insert_rows


class FindingRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def by_fingerprints(self, fingerprints: Sequence[str]) -> dict[str, Finding]:
        out: dict[str, Finding] = {}
        for part in chunks(fingerprints):
            for f in self.session.scalars(select(Finding).where(Finding.fingerprint.in_(part))):
                out[f.fingerprint] = f
        return out

    def open_of_persons(self, person_ids: Sequence[str]) -> list[Finding]:
        out: dict[str, Finding] = {}
        for part in chunks(person_ids):
            stmt = (
                select(Finding)
                .join(FindingPerson, FindingPerson.finding_id == Finding.id)
                .where(FindingPerson.person_id.in_(part), Finding.status == "open")
            )
            for f in self.session.scalars(stmt):
                out[f.id] = f
        return list(out.values())

    def add(self, finding: Finding) -> None:
        self.session.add(finding)
        self.session.flush()
        insert_rows(
            self.session, FindingPerson, [{"finding_id": finding.id, "person_id": p} for p in finding.persons]
        )

    def get(self, finding_id: str) -> Finding | None:
        return self.session.get(Finding, finding_id)

    def query(self, filters: dict[str, Any], limit: int, offset: int) -> tuple[list[Finding], int]:
        stmt = select(Finding)
        for column in ("status", "rule", "severity", "kind"):
            if filters.get(column):
                stmt = stmt.where(getattr(Finding, column) == filters[column])
        if filters.get("division"):
            stmt = stmt.where(Finding.division_code.like(f"{filters['division']}%"))
        if filters.get("person_id"):
            stmt = stmt.join(FindingPerson, FindingPerson.finding_id == Finding.id).where(
                FindingPerson.person_id == filters["person_id"]
            )
        total = int(self.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
        stmt = (
            stmt.order_by(Finding.severity_rank.desc(), Finding.created_at, Finding.id)
            .limit(limit)
            .offset(offset)
        )
        return list(self.session.scalars(stmt)), total

    def counts_by_rule(self, status: str = "open") -> dict[str, int]:
        stmt = select(Finding.rule, func.count()).where(Finding.status == status).group_by(Finding.rule)
        return {rule: int(n) for rule, n in self.session.execute(stmt)}

    def of_person(self, person_id: str) -> list[Finding]:
        stmt = (
            select(Finding)
            .join(FindingPerson, FindingPerson.finding_id == Finding.id)
            .where(FindingPerson.person_id == person_id)
        )
        return list(self.session.scalars(stmt))

    def set_persons(self, finding: Finding, persons: list[str]) -> None:
        self.session.execute(delete(FindingPerson).where(FindingPerson.finding_id == finding.id))
        finding.persons = persons
        insert_rows(
            self.session, FindingPerson, [{"finding_id": finding.id, "person_id": p} for p in persons]
        )

    def add_task(self, task: OutreachTask) -> None:
        self.session.add(task)

    def task_of(self, finding_id: str) -> OutreachTask | None:
        return self.session.scalar(select(OutreachTask).where(OutreachTask.finding_id == finding_id))

    def state(self) -> RulesState:
        state = self.session.get(RulesState, 1)
        if state is None:
            state = RulesState(id=1, checked_until=None, full_run_at=None)
            self.session.add(state)
            self.session.flush()
        return state


def housemates_records(
    session: Session, households: Sequence[tuple[str, str]], persons: Sequence[str]
) -> list[Record]:
    """Every record of everyone else in these (source, household_ref) households, in one query."""
    out: list[Record] = []
    for part in chunks(households, PAIR_CHUNK):
        home = or_(*(and_(Record.source == s, Record.household_ref == h) for s, h in part))
        mates = select(Record.person_id).where(home, Record.person_id.is_not(None))
        stmt = select(Record).where(Record.person_id.in_(mates), Record.person_id.not_in(persons))
        out += session.scalars(stmt)
    return out


def persons_changed_since(session: Session, since: datetime | None, limit: int, after: str = "") -> list[str]:
    """Resolved persons with a record changed at or after ``since`` (all persons when None)."""
    stmt = select(Record.person_id).where(Record.person_id.is_not(None), Record.person_id > after)
    if since is not None:
        stmt = stmt.where(Record.updated_at >= since)
    stmt = stmt.group_by(Record.person_id).order_by(Record.person_id).limit(limit)
    return [p for p in session.scalars(stmt) if p]
