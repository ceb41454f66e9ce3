"""intake's tables (besides the shared event tables)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from shared.events.models import NAMING, BigId

Money = Numeric(12, 2)


class IntakeBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Household(IntakeBase):
    __tablename__ = "household"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    division_code: Mapped[str] = mapped_column(String(12), index=True)
    residence_division_code: Mapped[str | None] = mapped_column(String(12))
    area_type: Mapped[str] = mapped_column(String(10))
    address: Mapped[str | None] = mapped_column(String(300))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    members: Mapped[list[Member]] = relationship(order_by="Member.position", lazy="selectin")


class Member(IntakeBase):
    __tablename__ = "member"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("household.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    sex: Mapped[str | None] = mapped_column(String(1))
    birth_date: Mapped[date | None] = mapped_column(Date)
    relationship: Mapped[str] = mapped_column(String(2))
    disability_category: Mapped[int | None] = mapped_column(Integer)
    disability_grade: Mapped[int | None] = mapped_column(Integer)
    work_capacity: Mapped[str | None] = mapped_column(String(10))


class Application(IntakeBase):
    """One application and where it stands in the workflow; columns the lists filter on are flat."""

    __tablename__ = "application"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("household.id"))
    programme: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    # Scoping and filtering: the 户籍地 division and its township and county.
    division_code: Mapped[str] = mapped_column(String(12))
    township_code: Mapped[str] = mapped_column(String(9))
    county_code: Mapped[str] = mapped_column(String(6))
    applicant_index: Mapped[int] = mapped_column(Integer)
    household_size: Mapped[int] = mapped_column(Integer)
    declaration: Mapped[dict[str, Any]] = mapped_column(JSON)  # agent, income, property items
    authorisation_signed_on: Mapped[date | None] = mapped_column(Date)
    close_relative_filed: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(String(500))
    source_ref: Mapped[str | None] = mapped_column(String(100))
    import_job_id: Mapped[str | None] = mapped_column(String(36), index=True)
    created_by: Mapped[str] = mapped_column(String(200))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer)
    # Workflow facts.
    accepted_on: Mapped[date | None] = mapped_column(Date)
    missing_items: Mapped[list[str] | None] = mapped_column(JSON)
    recommendation: Mapped[str | None] = mapped_column(String(10))
    proposed_amount: Mapped[Decimal | None] = mapped_column(Money)
    notice_start_on: Mapped[date | None] = mapped_column(Date)
    notice_end_on: Mapped[date | None] = mapped_column(Date)
    notice_rounds: Mapped[int] = mapped_column(Integer, default=0)
    decided_on: Mapped[date | None] = mapped_column(Date)
    amount: Mapped[Decimal | None] = mapped_column(Money)
    payment_method: Mapped[str | None] = mapped_column(String(20))
    effective_month: Mapped[str | None] = mapped_column(String(7))  # YYYY-MM
    review_cycle_months: Mapped[int | None] = mapped_column(Integer)
    next_review_on: Mapped[date | None] = mapped_column(Date)
    stop_notice_on: Mapped[date | None] = mapped_column(Date)
    extended: Mapped[bool] = mapped_column(Boolean, default=False)
    # Deadlines: the current step's and the whole process's (working days, holiday calendar).
    step: Mapped[str | None] = mapped_column(String(40))
    step_due_on: Mapped[date | None] = mapped_column(Date)
    process_due_on: Mapped[date | None] = mapped_column(Date)
    # Pre-check against matching: pending until matching has answered.
    precheck_status: Mapped[str] = mapped_column(String(10))
    precheck_result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    precheck_attempts: Mapped[int] = mapped_column(Integer, default=0)
    precheck_next_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    precheck_checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    household: Mapped[Household] = relationship(lazy="joined", innerjoin=True)

    __table_args__ = (
        # source_ref first: the import looks up a chunk of references at once (source_ref = ANY(…)).
        UniqueConstraint("source_ref", "created_by", name="uq_application_source_ref_created_by"),
        Index("ix_application_township_submitted", "township_code", "submitted_at", "id"),
        Index("ix_application_county_submitted", "county_code", "submitted_at", "id"),
        Index("ix_application_status", "status"),
        Index(
            "ix_application_precheck_pending",
            "precheck_next_at",
            postgresql_where=text("precheck_status = 'pending'"),
            sqlite_where=text("precheck_status = 'pending'"),
        ),
    )


class ApplicationAction(IntakeBase):
    """The history: every workflow action, who did it and when."""

    __tablename__ = "application_action"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("application.id"), index=True)
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    on: Mapped[date] = mapped_column(Date)
    details: Mapped[dict[str, Any]] = mapped_column(JSON)


class IdempotencyKey(IntakeBase):
    """A client's key and the first response it got: a retry replays it."""

    __tablename__ = "idempotency_key"

    client: Mapped[str] = mapped_column(String(200), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ImportJob(IntakeBase):
    """A bulk import: the uploaded file, its progress and its counts."""

    __tablename__ = "import_job"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    created_by: Mapped[str] = mapped_column(String(200))
    division: Mapped[str | None] = mapped_column(String(12))  # the uploader's scope
    filename: Mapped[str | None] = mapped_column(String(255))
    content_type: Mapped[str | None] = mapped_column(String(100))
    file_sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10))  # queued, running, done, failed
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    applications_created: Mapped[int] = mapped_column(Integer, default=0)
    applications_skipped: Mapped[int] = mapped_column(Integer, default=0)  # imported before
    applications_rejected: Mapped[int] = mapped_column(Integer, default=0)
    error_rows: Mapped[int] = mapped_column(Integer, default=0)
    failure: Mapped[str | None] = mapped_column(Text)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ImportFile(IntakeBase):
    """The uploaded bytes, kept apart so that listing jobs never loads them."""

    __tablename__ = "import_file"

    job_id: Mapped[str] = mapped_column(ForeignKey("import_job.id"), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class ImportError_(IntakeBase):
    """One bad row of an import (row number, field, reason in both languages)."""

    __tablename__ = "import_error"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("import_job.id"), index=True)
    row: Mapped[int] = mapped_column(Integer)
    source_ref: Mapped[str | None] = mapped_column(String(100))
    field: Mapped[str] = mapped_column(String(50))
    column: Mapped[str] = mapped_column(String(50))
    code: Mapped[str] = mapped_column(String(50))
    message_en: Mapped[str] = mapped_column(String(500))
    message_zh: Mapped[str] = mapped_column(String(500))
