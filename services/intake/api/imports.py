"""Bulk import routes: upload a file (the body is the file), follow the job, download the report."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import PlainTextResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict
from starlette.concurrency import run_in_threadpool

from services.intake.adapters.orm import ImportJob
from services.intake.adapters.repository import ImportRepository
from services.intake.adapters.spreadsheet import template_csv
from services.intake.domain.import_report import REPORT_HEADER, report_rows
from services.intake.domain.import_rows import RowError
from services.intake.domain.policy import SCOPE_READ, SCOPE_WRITE
from services.intake.service import imports as service
from shared.auth import Principal, require_scopes
from shared.db import Database
from shared.i18n import Text
from shared.web.deps import SessionDep

router = APIRouter(prefix="/v1/imports", tags=["imports"])
Writer = Annotated[Principal, Depends(require_scopes(SCOPE_WRITE))]
Reader = Annotated[Principal, Depends(require_scopes(SCOPE_READ))]
UPLOAD_TYPES = {
    "text/csv": {"schema": {"type": "string", "format": "binary"}},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
        "schema": {"type": "string", "format": "binary"}
    },
}


class ImportRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    status: str
    filename: str | None
    size_bytes: int
    rows_read: int
    applications_created: int
    applications_skipped: int
    applications_rejected: int
    error_rows: int
    failure: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    report: str


def _read(job: ImportJob) -> ImportRead:
    fields = {name: getattr(job, name) for name in ImportRead.model_fields if name != "report"}
    return ImportRead(**fields, report=f"/v1/imports/{job.id}/errors.csv")


@router.get(
    "/template.csv",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/csv": {}}}},
    summary="The import template (Chinese headers, two example rows)",
)
def template() -> PlainTextResponse:
    return PlainTextResponse(
        "\ufeff" + template_csv(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="import-template.csv"'},
    )


@router.post(
    "",
    status_code=202,
    response_model=ImportRead,
    summary="Upload a CSV or XLSX file of applications",
    openapi_extra={"requestBody": {"required": True, "content": UPLOAD_TYPES}},
)
async def upload(
    request: Request,
    session: SessionDep,
    who: Writer,
    filename: Annotated[
        str | None, Query(max_length=255, description="The file's name (.csv or .xlsx)")
    ] = None,
) -> ImportRead:
    content = await request.body()
    content_type = request.headers.get("content-type")
    job = await run_in_threadpool(service.create_import, session, who, content, filename, content_type)
    return _read(job)


@router.get("/{job_id}", response_model=ImportRead, summary="An import's progress and counts")
def read(job_id: str, session: SessionDep, who: Reader) -> ImportRead:
    return _read(service.get_import(session, who, job_id))


@router.get(
    "/{job_id}/errors.csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}}},
    summary="Every bad row: row number, field, reason (Chinese and English)",
)
def report(job_id: str, request: Request, session: SessionDep, who: Reader) -> StreamingResponse:
    service.get_import(session, who, job_id)
    db: Database = request.app.state.db
    return StreamingResponse(
        _report_lines(db, job_id),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="import-{job_id}-errors.csv"'},
    )


def _report_lines(db: Database, job_id: str, page: int = 2000) -> Iterator[str]:
    def line(cells: list[str]) -> str:
        buf = io.StringIO()
        csv.writer(buf).writerow(cells)
        return buf.getvalue()

    yield "\ufeff" + line(REPORT_HEADER)
    after = 0
    while True:
        with db.unit_of_work() as uow:
            rows = ImportRepository(uow.session).errors(job_id, after, page)
        if not rows:
            return
        after = rows[-1].id
        errors = [
            RowError(
                row=r.row,
                field=r.field,
                column=r.column,
                code=r.code,
                source_ref=r.source_ref,
                message=Text(r.message_en, r.message_zh),
            )
            for r in rows
        ]
        yield "".join(line(cells) for cells in report_rows(errors))
