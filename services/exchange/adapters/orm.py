"""exchange's tables (besides the shared event tables): departments and their clients."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.events.models import NAMING, BigId


class ExchangeBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Department(ExchangeBase):
    """A department that publishes rosters or asks about persons (人社, 医保, 教育 …)."""

    __tablename__ = "ex_department"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)  # e.g. "hrss", "edu.330106"
    name: Mapped[str] = mapped_column(String(200))
    uscc: Mapped[str] = mapped_column(String(18), unique=True)  # 统一社会信用代码
    division_code: Mapped[str | None] = mapped_column(String(12))  # where it acts; None: province-wide
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Client(ExchangeBase):
    """One set of OAuth2 client credentials of a department, with the scopes it may ask for and
    the roster sources it may publish. The secret is kept only as a hash."""

    __tablename__ = "ex_client"

    client_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    department_code: Mapped[str] = mapped_column(ForeignKey("ex_department.code"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    secret_hash: Mapped[str] = mapped_column(String(100))
    scopes: Mapped[list[Any]] = mapped_column(JSON)
    sources: Mapped[list[Any]] = mapped_column(JSON)  # roster sources it may publish
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    secret_set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RosterUpload(ExchangeBase):
    """A department's roster upload as exchange saw it: who sent what, and what matching made of
    it (its counts; the rejected lines stay with matching and are read through)."""

    __tablename__ = "ex_roster_upload"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(40))
    department_code: Mapped[str] = mapped_column(String(40), index=True)
    source: Mapped[str] = mapped_column(String(64))
    mode: Mapped[str] = mapped_column(String(10))  # snapshot | changes
    format: Mapped[str] = mapped_column(String(10))  # ndjson | csv
    status: Mapped[str] = mapped_column(String(10))  # running | done | failed
    matching_upload_id: Mapped[str | None] = mapped_column(String(36))
    counts: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    failure: Mapped[str | None] = mapped_column(String(400))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditRecord(ExchangeBase):
    """One read of personal data: who (client, end user), why (purpose), whose (a pseudonym),
    which field groups, when — chained by hash (``domain.audit``). Never updated or deleted:
    on PostgreSQL a trigger refuses both."""

    __tablename__ = "ex_audit"

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(32))  # ISO 8601, UTC: hashed as written
    client_id: Mapped[str] = mapped_column(String(40))
    department_code: Mapped[str] = mapped_column(String(40))
    end_user: Mapped[str | None] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(200))
    endpoint: Mapped[str] = mapped_column(String(100))
    person: Mapped[str] = mapped_column(String(64), index=True)  # matching's person id, or a query pseudonym
    fields: Mapped[list[Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(ExchangeBase):
    """The chain's head: one row, taken with a row lock by every writer (one writer at a time)."""

    __tablename__ = "ex_audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigId)
    hash: Mapped[str] = mapped_column(String(64))


class Webhook(ExchangeBase):
    """A client's subscription to a feed: deliveries in order from ``cursor``, retried with
    backoff, dead after ``max attempts`` until replayed. The secret signs deliveries (it must be
    readable to do so: it is never logged nor shown after creation)."""

    __tablename__ = "ex_webhook"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(40), index=True)
    feed: Mapped[str] = mapped_column(String(20))
    url: Mapped[str] = mapped_column(String(500))
    types: Mapped[list[Any]] = mapped_column(JSON)  # event types wanted ([]: all of the feed)
    secret: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(10))  # active | dead | disabled
    cursor: Mapped[int] = mapped_column(BigId)  # the last seq delivered (or skipped by the filter)
    attempts: Mapped[int] = mapped_column(Integer)  # failed attempts at the next delivery
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
