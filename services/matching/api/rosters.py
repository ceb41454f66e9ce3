"""Roster routes (internal, called by exchange): stream a snapshot or changes, read an upload."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from anyio import to_thread
from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel
from starlette.requests import ClientDisconnect

from services.matching.service.rosters import LineChunker, Mode, RosterIngest, upload_status
from shared.auth import Principal, require_scopes
from shared.contracts.rosters import NDJSON, ROSTERS_PATH, SCOPE_ROSTERS, RejectedLine
from shared.errors import UnsupportedMediaType
from shared.i18n import Text
from shared.web.internal import MAX_INT

router = APIRouter(prefix=ROSTERS_PATH, tags=["rosters"])
Publisher = Annotated[Principal, Depends(require_scopes(SCOPE_ROSTERS))]
NDJSON_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {NDJSON: {"schema": {"type": "string", "description": "one JSON object per line"}}},
    }
}


class UploadStatus(BaseModel):
    id: str
    source: str
    mode: Literal["snapshot", "changes"]
    status: Literal["running", "done", "failed"]
    received: int
    inserted: int
    updated: int
    unchanged: int
    ended: int
    rejected: int
    failure: str | None
    started_at: datetime
    finished_at: datetime | None
    rejections: list[RejectedLine]


async def _ingest(request: Request, source: str, mode: Mode, who: Principal) -> dict[str, Any]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in (NDJSON, "application/jsonl", "application/json-seq"):
        raise UnsupportedMediaType(
            Text(
                f"Send the roster as {NDJSON}, one record per line.",
                f"名册应以 {NDJSON} 格式发送，每行一条记录。",
            )
        )
    db = request.app.state.db
    job = await to_thread.run_sync(RosterIngest.start, db, source, mode, who.subject)
    chunker = LineChunker()
    try:
        async for block in request.stream():
            for lines in chunker.feed(block):
                await to_thread.run_sync(job.apply, lines)
        for lines in chunker.close():
            await to_thread.run_sync(job.apply, lines)
    except ClientDisconnect:
        await to_thread.run_sync(job.fail, "the upload was interrupted before its end")
        raise
    except Exception as exc:
        await to_thread.run_sync(job.fail, type(exc).__name__)
        raise
    await to_thread.run_sync(job.finish)
    return await to_thread.run_sync(upload_status, db, job.upload_id)


@router.post(
    "/{source}/snapshot",
    status_code=201,
    response_model=UploadStatus,
    summary="Replace a source's roster with a full snapshot (records it lacks end)",
    openapi_extra=NDJSON_BODY,
)
async def snapshot(source: str, request: Request, who: Publisher) -> dict[str, Any]:
    return await _ingest(request, source, "snapshot", who)


@router.post(
    "/{source}/changes",
    status_code=201,
    response_model=UploadStatus,
    summary="Apply changes to a source's roster (upsert / delete lines)",
    openapi_extra=NDJSON_BODY,
)
async def changes(source: str, request: Request, who: Publisher) -> dict[str, Any]:
    return await _ingest(request, source, "changes", who)


@router.get(
    "/uploads/{upload_id}", response_model=UploadStatus, summary="An upload's counts and rejected lines"
)
def read_upload(
    upload_id: str,
    request: Request,
    _: Publisher,
    after_line: int = Query(0, ge=0, le=MAX_INT, description="Rejections after this line (paging)"),
    limit: int = Query(1000, ge=1, le=10_000),
) -> dict[str, Any]:
    return upload_status(request.app.state.db, upload_id, limit=limit, after_line=after_line)
