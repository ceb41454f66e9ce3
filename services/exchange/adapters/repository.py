"""exchange's SQL: departments, clients, roster uploads, the audit chain, webhooks, feeds."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.exchange.adapters.orm import (
    AuditHead,
    AuditRecord,
    Client,
    Department,
    ExchangeBase,
    RosterUpload,
    Webhook,
)
from services.exchange.domain.audit import GENESIS
from shared.events.models import OutboxEvent

M = TypeVar("M", bound=ExchangeBase)


class _Rows(Generic[M]):
    """get by primary key, add (flushed): what every table's repository starts with."""

    model: type[M]

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, key: str) -> M | None:
        return self.session.get(self.model, key)

    def add(self, row: M) -> None:
        self.session.add(row)
        self.session.flush()


class DepartmentRepository(_Rows[Department]):
    model = Department

    def by_uscc(self, uscc: str) -> Department | None:
        return self.session.scalars(select(Department).where(Department.uscc == uscc)).first()

    def all(self) -> list[Department]:
        return list(self.session.scalars(select(Department).order_by(Department.code)))


class ClientRepository(_Rows[Client]):
    model = Client


class UploadRepository(_Rows[RosterUpload]):
    model = RosterUpload


class AuditRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def take_head(self, n: int) -> tuple[int, str]:
        """Reserve ``n`` sequence numbers: (the last one before them, its hash). The UPDATE locks
        the head row until commit, so writers append one after another."""
        stmt = (
            update(AuditHead)
            .where(AuditHead.id == 1)
            .values(seq=AuditHead.seq + n)
            .returning(AuditHead.seq, AuditHead.hash)
        )
        row = self.session.execute(stmt).first()
        if row is None:  # a new chain
            try:
                with self.session.begin_nested():
                    self.session.add(AuditHead(id=1, seq=0, hash=GENESIS))
            except IntegrityError:
                pass  # another writer made it first
            row = self.session.execute(stmt).one()
        return int(row.seq) - n, str(row.hash)

    def append(self, records: list[AuditRecord]) -> None:
        self.session.add_all(records)
        self.session.flush()
        last = records[-1]
        self.session.execute(update(AuditHead).where(AuditHead.id == 1).values(hash=last.hash))

    def head(self) -> tuple[int, str] | None:
        row = self.session.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)).first()
        return (int(row.seq), str(row.hash)) if row else None

    def stream(self, up_to: int | None) -> Iterator[dict[str, Any]]:
        """Every record (up to a sequence number), in order, a few thousand in memory at a time."""
        stmt = select(*AuditRecord.__table__.columns).order_by(AuditRecord.seq)
        if up_to is not None:
            stmt = stmt.where(AuditRecord.seq <= up_to)
        for row in self.session.execute(stmt).yield_per(10_000):
            yield dict(row._mapping)

    def of_person(self, person: str, limit: int) -> list[AuditRecord]:
        stmt = select(AuditRecord).where(AuditRecord.person == person).order_by(AuditRecord.seq.desc())
        return list(self.session.scalars(stmt.limit(limit)))


class WebhookRepository(_Rows[Webhook]):
    model = Webhook

    def of_client(self, client_id: str) -> list[Webhook]:
        stmt = select(Webhook).where(Webhook.client_id == client_id).order_by(Webhook.created_at)
        return list(self.session.scalars(stmt))

    def due(self, now: datetime, limit: int) -> list[Webhook]:
        """Active subscriptions whose next delivery is due; a replica skips those another holds."""
        stmt = (
            select(Webhook)
            .where(Webhook.status == "active", Webhook.next_attempt_at <= now)
            .order_by(Webhook.next_attempt_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return list(self.session.scalars(stmt))


class FeedRepository:
    """exchange's published events of one kind (type prefix), numbered in the outbox. Rows of
    columns, not ORM objects: a feed page is read-only and a thousand objects cost more than
    the query."""

    COLUMNS = (
        OutboxEvent.id,
        OutboxEvent.seq,
        OutboxEvent.type,
        OutboxEvent.subject,
        OutboxEvent.time,
        OutboxEvent.data,
    )

    def __init__(self, session: Session, prefix: str) -> None:
        self.session = session
        self.prefix = prefix

    def _published(self) -> Select[Any]:
        return select(*self.COLUMNS).where(
            OutboxEvent.seq.is_not(None), OutboxEvent.type.startswith(self.prefix)
        )

    def after(self, after: int, upto: int, limit: int) -> list[Any]:
        stmt = self._published().where(OutboxEvent.seq > after, OutboxEvent.seq <= upto)
        return list(self.session.execute(stmt.order_by(OutboxEvent.seq).limit(limit)))

    def before(self, upto: int, limit: int) -> list[Any]:
        """The last ``limit`` events at or before ``upto``, newest first."""
        stmt = self._published().where(OutboxEvent.seq <= upto)
        return list(self.session.execute(stmt.order_by(OutboxEvent.seq.desc()).limit(limit)))

    def since(self, since: datetime | None) -> Iterator[Any]:
        """Every event at or after ``since``, in order, a thousand rows in memory at a time."""
        stmt = self._published()
        if since is not None:
            stmt = stmt.where(OutboxEvent.time >= since)
        yield from self.session.execute(stmt.order_by(OutboxEvent.seq).execution_options(yield_per=1000))
