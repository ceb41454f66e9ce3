"""matching's tables (besides the shared event tables): the person index, rosters, decisions.

``mt_record`` holds every record matching knows, from every source (department rosters and
intake's applications), each with the person it belongs to. ``mt_person`` ids are stable: a
re-run keeps the id a person had; merges and splits are written to ``mt_identity_event`` with
their evidence and who or what decided them.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.events.models import NAMING, BigId

Money = Numeric(12, 2)


class MatchingBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Person(MatchingBase):
    __tablename__ = "mt_person"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # no records left
    retired_into: Mapped[str | None] = mapped_column(String(32))  # merged into this person


class Record(MatchingBase):
    """One record of one source: its raw standard fields, its aid, and its person."""

    __tablename__ = "mt_record"
    __table_args__ = (
        UniqueConstraint("source", "record_id", name="uq_mt_record_source_record_id"),
        Index("ix_mt_record_pending", "pending"),
        Index("ix_mt_record_household", "source", "household_ref"),
    )

    pk: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[str] = mapped_column(String(128))
    person_id: Mapped[str | None] = mapped_column(String(32), index=True)
    id18: Mapped[str | None] = mapped_column(String(18), index=True)  # valid resident ID, normalised
    name: Mapped[str] = mapped_column(String(200))
    born: Mapped[date | None] = mapped_column(Date)  # from the valid ID, else the birth date given
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)  # the standard record's identity fields, raw
    household_ref: Mapped[str | None] = mapped_column(String(128))
    division_code: Mapped[str | None] = mapped_column(String(12))
    programme: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str | None] = mapped_column(String(20))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    amount: Mapped[Decimal | None] = mapped_column(Money)
    attributes: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # source-specific facts
    active: Mapped[bool] = mapped_column(Boolean)  # false once ended by a snapshot or deleted
    pending: Mapped[bool] = mapped_column(Boolean)  # identity fields new or changed: to resolve
    aid_published: Mapped[bool | None] = mapped_column(Boolean)  # receiving, as the enrolments feed last said
    content_hash: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class IdentityEvent(MatchingBase):
    """Every change of who is who: a person created, a record linked, persons merged or split."""

    __tablename__ = "mt_identity_event"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    action: Mapped[str] = mapped_column(String(20))  # created | linked | merged | split | moved
    person_id: Mapped[str] = mapped_column(String(32), index=True)
    other_person_id: Mapped[str | None] = mapped_column(String(32), index=True)
    records: Mapped[list[Any]] = mapped_column(JSON)  # [[source, record_id], …]
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    decided_by: Mapped[str] = mapped_column(String(200))  # "engine:<model>", "reviewer:<subject>"


class RecordPair:
    """Two records, (source_a, record_id_a) ≤ (source_b, record_id_b): a pair has one row."""

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    source_a: Mapped[str] = mapped_column(String(64))
    record_id_a: Mapped[str] = mapped_column(String(128))
    source_b: Mapped[str] = mapped_column(String(64))
    record_id_b: Mapped[str] = mapped_column(String(128))


class LinkDecision(RecordPair, MatchingBase):
    """A reviewer's decision on two records: the same person (must-link) or not (cannot-link).
    Stored with the pair in a canonical order; every later run honours it."""

    __tablename__ = "mt_link_decision"
    __table_args__ = (UniqueConstraint("source_a", "record_id_a", "source_b", "record_id_b"),)

    same_person: Mapped[bool] = mapped_column(Boolean)
    reviewer: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class GreyPair(RecordPair, MatchingBase):
    """Two records the model is unsure about (or that a constraint kept apart): for review."""

    __tablename__ = "mt_grey_pair"
    __table_args__ = (UniqueConstraint("source_a", "record_id_a", "source_b", "record_id_b"),)

    probability: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(String(40))
    evidence: Mapped[list[Any] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12), index=True)  # open | decided | gone
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RosterUpload(MatchingBase):
    """One snapshot or change set of one source's roster, with what became of its records."""

    __tablename__ = "mt_roster_upload"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    source: Mapped[str] = mapped_column(String(64), index=True)
    mode: Mapped[str] = mapped_column(String(10))  # snapshot | changes
    status: Mapped[str] = mapped_column(String(10))  # running | done | failed
    submitted_by: Mapped[str] = mapped_column(String(200))
    received: Mapped[int] = mapped_column(Integer, default=0)
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    deleted: Mapped[int] = mapped_column(Integer, default=0)  # ended: absent from a snapshot, or deleted
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    failure: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Rejection(MatchingBase):
    __tablename__ = "mt_rejection"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    upload_id: Mapped[str] = mapped_column(ForeignKey("mt_roster_upload.id", ondelete="CASCADE"), index=True)
    line: Mapped[int] = mapped_column(Integer)
    record_id: Mapped[str | None] = mapped_column(String(128))
    field: Mapped[str] = mapped_column(String(40))
    code: Mapped[str] = mapped_column(String(40))
    message_en: Mapped[str] = mapped_column(Text)
    message_zh: Mapped[str] = mapped_column(Text)


class SnapshotSeen(MatchingBase):
    """The record ids a running snapshot has carried so far (emptied when it finishes)."""

    __tablename__ = "mt_snapshot_seen"

    upload_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(128), primary_key=True)


class Finding(MatchingBase):
    """A duplicate (D…), a missed-aid case (G…): what a rule found, and what people decided."""

    __tablename__ = "mt_finding"
    __table_args__ = (Index("ix_mt_finding_queue", "status", "severity_rank", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)  # rule + persons (+ households)
    rule: Mapped[str] = mapped_column(String(10), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # duplicate | missed
    severity: Mapped[str] = mapped_column(String(10))
    severity_rank: Mapped[int] = mapped_column(Integer)  # critical 4 … low 1, for sorting
    status: Mapped[str] = mapped_column(String(10))  # open | confirmed | dismissed | resolved
    persons: Mapped[list[str]] = mapped_column(JSON)
    households: Mapped[list[str]] = mapped_column(JSON)
    records: Mapped[list[Any]] = mapped_column(JSON)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    division_code: Mapped[str | None] = mapped_column(String(12), index=True)
    programmes: Mapped[list[str]] = mapped_column(JSON)
    rules_version: Mapped[str] = mapped_column(String(40))
    reviewer: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class FindingPerson(MatchingBase):
    """Which persons a finding is about (to find a person's findings without reading JSON)."""

    __tablename__ = "mt_finding_person"

    finding_id: Mapped[str] = mapped_column(ForeignKey("mt_finding.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class OutreachTask(MatchingBase):
    """A missed-aid finding's task for the township: reach the person, help them apply. Never a grant."""

    __tablename__ = "mt_outreach_task"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    finding_id: Mapped[str] = mapped_column(ForeignKey("mt_finding.id", ondelete="CASCADE"), unique=True)
    division_code: Mapped[str | None] = mapped_column(String(12), index=True)
    status: Mapped[str] = mapped_column(String(10))  # open | done | cancelled
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RulesState(MatchingBase):
    """Where the incremental rules run got to: records changed after ``checked_until`` are next."""

    __tablename__ = "mt_rules_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    checked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    full_run_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ViewLog(MatchingBase):
    """Each time a reviewer saw personal data unmasked in the console: who, which records, which
    fields, when (domain.md §6: every read of personal data is accounted for)."""

    __tablename__ = "mt_view_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    reviewer: Mapped[str] = mapped_column(String(200), index=True)
    view: Mapped[str] = mapped_column(String(40))  # pair/<id>, finding/<id>, person/<id>
    records: Mapped[list[Any]] = mapped_column(JSON)  # [[source, record_id], …]
    fields: Mapped[list[str]] = mapped_column(JSON)
