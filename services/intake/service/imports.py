"""Bulk import of applications from a CSV or XLSX file, as a job with progress and a row report.

Good rows are kept; every bad row is reported with its row number, field and reason. Rows are
keyed by (uploader, 申请编号): a row imported before, by this job or an earlier one, is skipped, so
re-uploading a file (or resuming a job whose worker died) never duplicates anything. Work goes in
chunks, each one transaction, so memory stays flat and progress is visible while it runs.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from services.intake.adapters.orm import Application, ImportJob
from services.intake.adapters.repository import ApplicationRepository, ImportRepository
from services.intake.adapters.spreadsheet import TemplateError, iter_rows
from services.intake.domain.application import ApplicationDraft
from services.intake.domain.import_report import group_rejected, row_errors_for
from services.intake.domain.import_rows import ParsedApplication, RowError, group_applications
from services.intake.domain.validation import check_application
from services.intake.service.context import IntakeContext
from services.intake.service.records import draft_rows, submission_rows
from shared.auth import Principal
from shared.db import Database
from shared.errors import FieldError, NotFound, UnsupportedMediaType, ValidationFailed
from shared.events.outbox import utcnow
from shared.i18n import Text
from shared.logs import get_logger

log = get_logger("snx.intake.import")
CHUNK = 1000  # applications per transaction
LEASE = timedelta(minutes=5)


def create_import(
    session: Session, who: Principal, content: bytes, filename: str | None, content_type: str | None
) -> ImportJob:
    """Store the upload as a queued job, after checking that it is a readable template."""
    try:
        next(iter(iter_rows(io.BytesIO(content), filename, content_type)), None)
    except TemplateError as exc:
        raise ValidationFailed(
            exc.message, errors=[FieldError("body", ("file",), "template", exc.message)]
        ) from exc
    except ValueError as exc:
        raise UnsupportedMediaType(
            Text("Upload a CSV or XLSX file.", "请上传 CSV 或 XLSX 文件。"), extra={"reason": str(exc)[:200]}
        ) from exc
    now = utcnow()
    job = ImportJob(
        id=str(uuid.uuid4()),
        created_by=who.subject,
        division=who.division,
        filename=filename,
        content_type=content_type,
        file_sha256=hashlib.sha256(content).hexdigest(),
        size_bytes=len(content),
        status="queued",
        rows_read=0,
        applications_created=0,
        applications_skipped=0,
        applications_rejected=0,
        error_rows=0,
        created_at=now,
    )
    ImportRepository(session).add(job, content)
    log.info("intake.import_queued", job_id=job.id, size=len(content))
    return job


def get_import(session: Session, who: Principal, job_id: str) -> ImportJob:
    job = ImportRepository(session).get(job_id)
    visible = job is not None and (
        job.created_by == who.subject
        or who.division is None
        or (job.division and who.covers_division(job.division))
    )
    if job is None or not visible:
        raise NotFound(Text("No such import.", "未找到该导入任务。"))
    return job


@dataclass
class _Chunk:
    drafts: list[ApplicationDraft] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rejected: int = 0


def _parse(parsed: ParsedApplication, ctx: IntakeContext, who: Principal, chunk: _Chunk) -> None:
    bad = list(parsed.errors)
    if parsed.draft is not None:
        checked = check_application(
            parsed.draft,
            ctx.divisions,
            ctx.today(),
            who.covers_division,
            reject_unknown_divisions=ctx.settings.reject_unknown_divisions,
        )
        if not checked.errors and not bad:
            chunk.drafts.append(checked.draft)
            return
        seen = {(e.row, e.field) for e in bad}
        bad += [e for e in row_errors_for(parsed, checked.errors) if (e.row, e.field) not in seen]
    chunk.errors += bad + group_rejected(parsed, bad)
    chunk.rejected += 1


def _store(session: Session, job: ImportJob, chunk: _Chunk) -> tuple[int, int]:
    """Insert the chunk's new applications in bulk; returns (created, skipped). An application this
    same job stored before its worker died is neither: it was counted when it was created."""
    repo = ApplicationRepository(session)
    refs = [d.source_ref for d in chunk.drafts if d.source_ref]
    seen = repo.existing_source_refs(job.created_by, refs)
    now = utcnow()
    rows: dict[type[Any], list[dict[str, Any]]] = {}
    for draft in chunk.drafts:
        if draft.source_ref in seen:
            continue
        household, members, application = draft_rows(
            draft, application_id=str(uuid.uuid4()), created_by=job.created_by, now=now
        )
        application["import_job_id"] = job.id
        written = submission_rows(
            household,
            members,
            application,
            actor=job.created_by,
            now=now,
            on=now.date(),
            details={"import_job_id": job.id},
        )
        for model, model_rows in written.items():
            rows.setdefault(model, []).extend(model_rows)
    repo.add_many(rows)
    created = len(rows.get(Application, []))
    skipped = sum(1 for d in chunk.drafts if d.source_ref in seen and seen[d.source_ref] != job.id)
    return created, skipped


def _error_rows(job_id: str, errors: list[RowError]) -> list[dict[str, Any]]:
    return [
        {
            "job_id": job_id,
            "row": e.row,
            "source_ref": (e.source_ref or "")[:100] or None,
            "field": e.field[:50],
            "column": e.column[:50],
            "code": e.code[:50],
            "message_en": e.message.en[:500],
            "message_zh": e.message.zh[:500],
        }
        for e in errors
    ]


def run_next_import(db: Database, ctx: IntakeContext) -> int:
    """Worker step: claim one job (queued, or abandoned by a dead worker) and run it to the end."""
    now = utcnow()
    with db.unit_of_work() as uow:
        imports = ImportRepository(uow.session)
        job = imports.claim_next(now, now + LEASE)
        if job is None:
            return 0
        imports.delete_errors(job.id)  # a resumed job reports afresh
        content = imports.content(job.id)
        who = Principal(subject=job.created_by, scopes=frozenset(), division=job.division)
        job_id, source = job.id, (job.filename, job.content_type)
    log.info("intake.import_started", job_id=job_id)
    try:
        _run(db, ctx, job_id, who, iter_rows(io.BytesIO(content), *source))
    except Exception as exc:
        with db.unit_of_work() as uow:
            ImportRepository(uow.session).update(
                job_id, status="failed", failure=type(exc).__name__, finished_at=utcnow()
            )
        log.error("intake.import_failed", job_id=job_id, error=type(exc).__name__)
        return 1
    return 1


def _run(
    db: Database, ctx: IntakeContext, job_id: str, who: Principal, rows: Iterator[tuple[int, dict[str, str]]]
) -> None:
    counts = {"rows_read": 0, "applications_skipped": 0, "applications_rejected": 0, "error_rows": 0}
    chunk = _Chunk()

    def flush() -> None:
        nonlocal chunk
        with db.unit_of_work() as uow:
            imports = ImportRepository(uow.session)
            job = imports.get(job_id)
            assert job is not None
            _, skipped = _store(uow.session, job, chunk)
            imports.add_errors(_error_rows(job_id, chunk.errors))
            counts["applications_skipped"] += skipped
            counts["applications_rejected"] += chunk.rejected
            counts["error_rows"] += len({e.row for e in chunk.errors})
            created = ApplicationRepository(uow.session).count_imported(job_id)
            imports.update(job_id, applications_created=created, lease_until=utcnow() + LEASE, **counts)
        chunk = _Chunk()

    def counted() -> Iterator[tuple[int, dict[str, str]]]:
        for row in rows:
            counts["rows_read"] += 1
            yield row

    for parsed in group_applications(counted()):
        _parse(parsed, ctx, who, chunk)
        if len(chunk.drafts) + chunk.rejected >= CHUNK:
            flush()
    flush()
    with db.unit_of_work() as uow:
        ImportRepository(uow.session).update(job_id, status="done", finished_at=utcnow(), lease_until=None)
    log.info("intake.import_done", job_id=job_id, **counts)
