"""Writing events to the outbox, numbering them, and reading a feed page as CloudEvents."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from shared.db import Database
from shared.events.models import OutboxEvent

EVENT_TYPE_PREFIX = "cn.snx"
SEQUENCER_LOCK_KEY = 0x5E9_0001  # pg_advisory_xact_lock key of the outbox sequencer
SEQUENCE_BATCH = 5_000


def utcnow() -> datetime:
    return datetime.now(UTC)


def append_event(
    session: Session, type: str, data: dict[str, Any], subject: str | None = None
) -> OutboxEvent:
    """Add an event to the outbox in the caller's transaction (it commits with the change)."""
    row = OutboxEvent(id=str(uuid.uuid4()), type=type, subject=subject, time=utcnow(), data=data)
    session.add(row)
    return row


Event = tuple[str, dict[str, Any], str | None]  # type, data, subject


def event_rows(events: Sequence[Event]) -> list[dict[str, Any]]:
    """Outbox rows for events, to insert along with other rows (``shared.db.insert_batches``)."""
    now = utcnow()
    return [
        {"id": str(uuid.uuid4()), "type": type_, "subject": subject, "time": now, "data": data}
        for type_, data, subject in events
    ]


def assign_sequence(session: Session) -> int:
    """Give committed, unnumbered events the next sequence numbers, in insertion order.

    One sequencer at a time: a PostgreSQL advisory transaction lock (SQLite transactions already
    start with ``BEGIN IMMEDIATE``). Because numbers are handed out only to committed rows and the
    lock is held until this transaction commits, sequence order is commit-visible order.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(SEQUENCER_LOCK_KEY)))
    pending = list(
        session.scalars(
            select(OutboxEvent.pos)
            .where(OutboxEvent.seq.is_(None))
            .order_by(OutboxEvent.pos)
            .limit(SEQUENCE_BATCH)
        )
    )
    if not pending:
        return 0
    last = session.scalar(select(func.coalesce(func.max(OutboxEvent.seq), 0))) or 0
    session.execute(
        update(OutboxEvent),
        [{"pos": pos, "seq": last + i} for i, pos in enumerate(pending, start=1)],
    )
    return len(pending)


def has_unsequenced(session: Session) -> bool:
    return session.scalar(select(OutboxEvent.pos).where(OutboxEvent.seq.is_(None)).limit(1)) is not None


def read_after(session: Session, after: int, limit: int) -> list[OutboxEvent]:
    stmt = select(OutboxEvent).where(OutboxEvent.seq > after).order_by(OutboxEvent.seq).limit(limit)
    return list(session.scalars(stmt))


def last_sequence(session: Session) -> int:
    return int(session.scalar(select(func.coalesce(func.max(OutboxEvent.seq), 0))) or 0)


class EventRow(Protocol):
    """An outbox row as read: the ORM object or a row of its columns."""

    @property
    def id(self) -> str: ...
    @property
    def seq(self) -> int | None: ...
    @property
    def type(self) -> str: ...
    @property
    def subject(self) -> str | None: ...
    @property
    def time(self) -> datetime: ...
    @property
    def data(self) -> Any: ...


def to_cloudevent(row: EventRow, source: str) -> dict[str, Any]:
    """CloudEvents 1.0 JSON form, plus the feed's sequence number as extension ``seq``."""
    when = row.time if row.time.tzinfo else row.time.replace(tzinfo=UTC)
    event: dict[str, Any] = {
        "specversion": "1.0",
        "id": row.id,
        "source": source,
        "type": row.type,
        "time": when.isoformat().replace("+00:00", "Z"),
        "datacontenttype": "application/json",
        "seq": row.seq,
        "data": row.data,
    }
    if row.subject:
        event["subject"] = row.subject
    return event


def fetch_page(db: Database, source: str, after: int, limit: int) -> dict[str, Any]:
    """Number what is pending, then read one page of the feed after ``after``."""
    with db.unit_of_work() as uow:
        if has_unsequenced(uow.session):
            assign_sequence(uow.session)
    with db.unit_of_work() as uow:
        rows = read_after(uow.session, after, limit + 1)
        events = [to_cloudevent(r, source) for r in rows[:limit]]
        head = last_sequence(uow.session)
    next_after = events[-1]["seq"] if events else after
    return {"events": events, "next_after": next_after, "has_more": len(rows) > limit, "last_seq": head}
