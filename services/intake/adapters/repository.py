"""All of intake's SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    delete,
    false,
    func,
    or_,
    select,
    true,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from services.intake.adapters.orm import (
    Application,
    ApplicationAction,
    Household,
    IdempotencyKey,
    ImportError_,
    ImportFile,
    ImportJob,
    Member,
)
from shared.codes.divisions import InvalidDivisionCode, significant_digits
from shared.db import insert_batches, insert_rows


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def application_scope(division: str | None) -> ColumnElement[bool]:
    """Rows a caller whose token carries ``division`` may see (no claim: all)."""
    if division is None:
        return true()
    try:
        sig = significant_digits(division)
    except InvalidDivisionCode:
        return false()
    column = {12: Application.division_code, 9: Application.township_code, 6: Application.county_code}
    if len(sig) in column:
        return column[len(sig)] == sig
    return Application.county_code.startswith(sig)


class HouseholdRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, household: Household) -> None:
        self.session.add(household)
        self.session.flush()

    def get(self, household_id: str) -> Household | None:
        return self.session.get(Household, household_id)


@dataclass(frozen=True)
class ApplicationFilter:
    division: str | None  # the caller's scope
    status: Sequence[str] = ()
    programme: str | None = None
    township: str | None = None
    overdue_on: date | None = None  # overdue as of this day
    review_due_on: date | None = None  # review due by this day


class ApplicationRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add_many(self, rows: dict[type[Any], list[dict[str, Any]]]) -> None:
        """Households, members, applications and their history rows (and any other tables given,
        such as the outbox), parents first, in one pipeline on PostgreSQL."""
        order = [Household, Member, Application, ApplicationAction]
        order += [model for model in rows if model not in order]
        insert_batches(self.session, [(model, rows.get(model, [])) for model in order])

    def get(self, application_id: str, *, for_update: bool = False) -> Application | None:
        stmt = select(Application).where(Application.id == application_id)
        if for_update and _is_postgres(self.session):
            stmt = stmt.with_for_update(of=Application)
        return self.session.scalars(stmt).first()

    def add_action(self, action: ApplicationAction) -> None:
        self.session.add(action)

    def history(self, application_id: str) -> list[ApplicationAction]:
        stmt = (
            select(ApplicationAction)
            .where(ApplicationAction.application_id == application_id)
            .order_by(ApplicationAction.id)
        )
        return list(self.session.scalars(stmt))

    def page(self, f: ApplicationFilter, after: tuple[datetime, str] | None, limit: int) -> list[Application]:
        conditions = [application_scope(f.division)]
        if f.status:
            conditions.append(Application.status.in_(f.status))
        if f.programme:
            conditions.append(Application.programme == f.programme)
        if f.township:
            conditions.append(Application.township_code == f.township)
        if f.overdue_on is not None:
            conditions.append(
                or_(Application.step_due_on < f.overdue_on, Application.process_due_on < f.overdue_on)
            )
        if f.review_due_on is not None:
            conditions.append(
                and_(Application.status == "active", Application.next_review_on <= f.review_due_on)
            )
        if after is not None:
            conditions.append(tuple_(Application.submitted_at, Application.id) > tuple_(*after))
        stmt = (
            select(Application)
            .where(*conditions)
            .order_by(Application.submitted_at, Application.id)
            .limit(limit)
        )
        return list(self.session.scalars(stmt))

    def in_notice(self, division: str, on: date, after: str | None, limit: int) -> list[Application]:
        """Applications whose public notice runs on ``on`` inside ``division``."""
        stmt = (
            select(Application)
            .where(
                application_scope(division),
                Application.status == "in_notice",
                Application.notice_start_on <= on,
                Application.notice_end_on >= on,
                Application.id > (after or ""),
            )
            .order_by(Application.id)
            .limit(limit)
        )
        return list(self.session.scalars(stmt))

    def existing_source_refs(self, created_by: str, refs: Sequence[str]) -> dict[str, str | None]:
        """The references among ``refs`` this uploader has imported before, with the import job."""
        if not refs:
            return {}
        stmt = select(Application.source_ref, Application.import_job_id).where(
            Application.source_ref.in_(refs), Application.created_by == created_by
        )
        return {ref: job for ref, job in self.session.execute(stmt).all() if ref is not None}

    def count_imported(self, job_id: str) -> int:
        stmt = select(func.count()).select_from(Application).where(Application.import_job_id == job_id)
        return int(self.session.scalar(stmt) or 0)

    def due_prechecks(self, now: datetime, limit: int) -> list[Application]:
        """Pending pre-checks whose retry time has come, locked for this worker (others skip them)."""
        stmt = (
            select(Application)
            .where(Application.precheck_status == "pending", Application.precheck_next_at <= now)
            .order_by(Application.precheck_next_at)
            .limit(limit)
        )
        if _is_postgres(self.session):
            stmt = stmt.with_for_update(skip_locked=True, of=Application)
        return list(self.session.scalars(stmt))

    def reschedule_prechecks(self, ids: Sequence[str], at: datetime) -> None:
        if ids:
            self.session.execute(
                update(Application)
                .where(Application.id.in_(ids), Application.precheck_status == "pending")
                .values(precheck_next_at=at)
            )


# Built once: the statement's cache key is computed once, and each claim only binds its values.
_CLAIM = {
    name: dialect.insert(IdempotencyKey).on_conflict_do_nothing().returning(IdempotencyKey.key)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}


class IdempotencyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def claim(self, row: dict[str, Any]) -> bool:
        """Insert the key with its response, unless the key is taken: True when this call got it.

        One statement does what a lock and a look-up would: a concurrent insert of the same key
        waits for the first transaction and then finds the conflict (or, if the first rolled back,
        gets the key). The caller reads the stored response with ``get`` when it lost.
        """
        dialect = postgresql if _is_postgres(self.session) else sqlite
        stmt = (
            dialect.insert(IdempotencyKey)
            .values(**row)
            .on_conflict_do_nothing()
            .returning(IdempotencyKey.key)
        )
        return self.session.connection().execute(stmt).first() is not None

    def get(self, client: str, key: str) -> IdempotencyKey | None:
        return self.session.get(IdempotencyKey, (client, key))


class ImportRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, job: ImportJob, content: bytes) -> None:
        self.session.add(job)
        self.session.flush()
        self.session.add(ImportFile(job_id=job.id, content=content))
        self.session.flush()

    def get(self, job_id: str) -> ImportJob | None:
        return self.session.get(ImportJob, job_id)

    def content(self, job_id: str) -> bytes:
        row = self.session.get(ImportFile, job_id)
        return row.content if row else b""

    def claim_next(self, now: datetime, lease_until: datetime) -> ImportJob | None:
        """A queued job, or a running one whose worker's lease ran out (it died): now ours."""
        stmt = (
            select(ImportJob)
            .where(
                or_(
                    ImportJob.status == "queued",
                    and_(ImportJob.status == "running", ImportJob.lease_until < now),
                )
            )
            .order_by(ImportJob.created_at)
            .limit(1)
        )
        if _is_postgres(self.session):
            stmt = stmt.with_for_update(skip_locked=True)
        job = self.session.scalars(stmt).first()
        if job is not None:
            job.status = "running"
            job.lease_until = lease_until
            job.started_at = job.started_at or now
        return job

    def update(self, job_id: str, **values: Any) -> None:
        self.session.execute(update(ImportJob).where(ImportJob.id == job_id).values(**values))

    def delete_errors(self, job_id: str) -> None:
        self.session.execute(delete(ImportError_).where(ImportError_.job_id == job_id))

    def add_errors(self, rows: list[dict[str, Any]]) -> None:
        insert_rows(self.session, ImportError_, rows)

    def errors(self, job_id: str, after_id: int, limit: int) -> list[ImportError_]:
        stmt = (
            select(ImportError_)
            .where(ImportError_.job_id == job_id, ImportError_.id > after_id)
            .order_by(ImportError_.id)
            .limit(limit)
        )
        return list(self.session.scalars(stmt))
