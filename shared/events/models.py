"""Tables every service has: its outbox, and (as a consumer) cursors and an inbox of applied ids."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Index, Integer, MetaData, String, Text, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# BIGINT on PostgreSQL, INTEGER on SQLite (where only INTEGER PRIMARY KEY auto-increments).
BigId = BigInteger().with_variant(Integer(), "sqlite")


class EventsBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class OutboxEvent(EventsBase):
    """An event, written in the same transaction as the change it reports.

    ``pos`` orders rows as they were inserted; ``seq`` is the feed's sequence number, assigned
    after commit by one sequencer at a time, so a reader that has seen ``seq = n`` can never later
    find a committed event with a smaller number (no skipped events under concurrent writers).
    """

    __tablename__ = "outbox_event"

    pos: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    seq: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    type: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str | None] = mapped_column(String(200))
    time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)

    __table_args__ = (
        Index(
            "ix_outbox_event_unsequenced",
            "pos",
            postgresql_where=text("seq IS NULL"),
            sqlite_where=text("seq IS NULL"),
        ),
    )


class ConsumerCursor(EventsBase):
    """How far this service has applied another service's feed."""

    __tablename__ = "consumer_cursor"

    feed: Mapped[str] = mapped_column(String(100), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger, default=0)
    applied_count: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    error_count: Mapped[int] = mapped_column(Integer, default=0)


class InboxEvent(EventsBase):
    """Ids of events already applied: a redelivered event is recognised and skipped."""

    __tablename__ = "inbox_event"

    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    feed: Mapped[str] = mapped_column(String(100))
    seq: Mapped[int] = mapped_column(BigInteger)
    type: Mapped[str] = mapped_column(String(200))
    applied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
