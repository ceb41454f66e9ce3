"""SQL of the review console: the filtered queue, decision history, households, the overview's
counts, and the log of unmasked views."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, String, and_, cast, func, or_, select
from sqlalchemy.orm import Session, aliased

from services.matching.adapters.orm import Finding, GreyPair, LinkDecision, Record, ViewLog
from services.matching.adapters.repository import PAIR_CHUNK, DecisionRepository, Ref, chunks
from services.matching.domain.rules import ENDED
from shared.db import insert_rows

NOT_RECEIVING = sorted(ENDED | {"applying", "paid"})  # as ``rules.Fact.receiving``


@dataclass(frozen=True)
class QueueFilter:
    division: str | None = None  # a division code prefix (a township: 9 digits)
    programme: str | None = None  # a code or a family prefix: dibao covers dibao_urban
    rule: str | None = None
    severity: str | None = None


def _programme(column: Any, code: str) -> ColumnElement[bool]:
    return or_(column == code, column.like(f"{code}\\_%", escape="\\"))


class ConsoleRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def open_pairs(self, f: QueueFilter, limit: int) -> tuple[list[tuple[GreyPair, Record, Record]], int]:
        """Open grey pairs (oldest first) with both records; pairs have no rule or severity, so a
        filter on either leaves none."""
        if f.rule or f.severity:
            return [], 0
        a, b = aliased(Record), aliased(Record)
        stmt = (
            select(GreyPair, a, b)
            .join(a, and_(a.source == GreyPair.source_a, a.record_id == GreyPair.record_id_a))
            .join(b, and_(b.source == GreyPair.source_b, b.record_id == GreyPair.record_id_b))
            .where(GreyPair.status == "open")
        )
        if f.division:
            stmt = stmt.where(
                or_(a.division_code.startswith(f.division), b.division_code.startswith(f.division))
            )
        if f.programme:
            stmt = stmt.where(or_(_programme(a.programme, f.programme), _programme(b.programme, f.programme)))
        total = self.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = self.session.execute(stmt.order_by(GreyPair.created_at, GreyPair.id).limit(limit))
        return [(p, ra, rb) for p, ra, rb in rows], int(total)

    def open_findings(self, f: QueueFilter, limit: int) -> tuple[list[Finding], int]:
        """Open findings, most severe first, then oldest."""
        stmt = select(Finding).where(Finding.status == "open")
        if f.division:
            stmt = stmt.where(Finding.division_code.startswith(f.division))
        if f.programme:  # programmes is a JSON list: match the quoted code (or a family's prefix)
            stmt = stmt.where(cast(Finding.programmes, String).like(f'%"{f.programme}%'))
        if f.rule:
            stmt = stmt.where(Finding.rule == f.rule)
        if f.severity:
            stmt = stmt.where(Finding.severity == f.severity)
        total = self.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        ordered = stmt.order_by(Finding.severity_rank.desc(), Finding.created_at, Finding.id)
        return list(self.session.scalars(ordered.limit(limit))), int(total)

    def grey_pair(self, pair_id: int) -> GreyPair | None:
        return self.session.get(GreyPair, pair_id)

    def decisions(self, limit: int, touching: Sequence[Ref] = ()) -> list[LinkDecision]:
        """Reviewers' pair decisions, newest first (only those touching ``touching`` if given)."""
        if touching:
            found = DecisionRepository(self.session).touching(touching)
            return sorted(found, key=lambda d: d.decided_at, reverse=True)[:limit]
        stmt = select(LinkDecision).order_by(LinkDecision.decided_at.desc()).limit(limit)
        return list(self.session.scalars(stmt))

    def decided_findings(self, limit: int) -> list[Finding]:
        stmt = select(Finding).where(Finding.decided_at.is_not(None))
        return list(self.session.scalars(stmt.order_by(Finding.decided_at.desc()).limit(limit)))

    def housemates(self, homes: Sequence[tuple[str, str]]) -> list[Record]:
        """Every record, active or not, in one of the households ``(source, household_ref)``."""
        out: list[Record] = []
        for part in chunks(list(homes), PAIR_CHUNK):
            cond = or_(*(and_(Record.source == s, Record.household_ref == h) for s, h in part))
            out += self.session.scalars(select(Record).where(cond).order_by(Record.pk))
        return out

    def findings_by_week(self, since: datetime) -> list[tuple[str, str, int]]:
        """(rule, ISO week start, findings raised) since a time."""
        rows = self.session.execute(
            select(Finding.rule, Finding.created_at).where(Finding.created_at >= since)
        )  # weeks are counted in Python: the week functions differ between SQLite and PostgreSQL
        counts: dict[tuple[str, str], int] = {}
        for rule, at in rows:
            week = (at.date() - timedelta(days=at.weekday())).isoformat()
            counts[(rule, week)] = counts.get((rule, week), 0) + 1
        return sorted((rule, week, n) for (rule, week), n in counts.items())

    def coverage_by_township(self, limit: int) -> list[tuple[str, int, int]]:
        """(township code, persons receiving aid now, findings open) by township, busiest first."""
        township = func.substr(Record.division_code, 1, 9)
        receiving = (
            select(township.label("t"), func.count(func.distinct(Record.person_id)).label("n"))
            .where(
                Record.active.is_(True),
                Record.programme.is_not(None),
                Record.person_id.is_not(None),
                func.length(Record.division_code) >= 9,
                or_(Record.status.is_(None), func.lower(Record.status).not_in(NOT_RECEIVING)),
            )
            .group_by(township)
        )
        places = {t: int(n) for t, n in self.session.execute(receiving)}
        ftown = func.substr(Finding.division_code, 1, 9)
        open_ = select(ftown, func.count()).where(Finding.status == "open").group_by(ftown)
        found = {t: int(n) for t, n in self.session.execute(open_) if t}
        rows = [(t, places.get(t, 0), found.get(t, 0)) for t in set(places) | set(found)]
        return sorted(rows, key=lambda r: (-r[1], r[0]))[:limit]

    def log_view(self, row: dict[str, Any]) -> None:
        insert_rows(self.session, ViewLog, [row])

    def views(self, limit: int) -> list[ViewLog]:
        return list(self.session.scalars(select(ViewLog).order_by(ViewLog.id.desc()).limit(limit)))
