"""Roster publication by departments: NDJSON or CSV, streamed through to matching."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar

import httpx
from anyio import to_thread
from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel
from starlette.requests import ClientDisconnect

from services.exchange.adapters.matching import MatchingRosters
from services.exchange.api.deps import department
from services.exchange.domain.roster_csv import CsvError, CsvToNdjson
from services.exchange.service import rosters
from shared.auth import Principal
from shared.contracts.rosters import NDJSON, RejectedLine
from shared.db import Database
from shared.errors import AppError, BadRequest, ServiceUnavailable, UnsupportedMediaType
from shared.i18n import Text
from shared.web.internal import MAX_INT

ROSTERS = "/v1/rosters"
SCOPE_PUBLISH = "rosters:publish"
FORMATS = {NDJSON: "ndjson", "application/jsonl": "ndjson", "text/csv": "csv"}
router = APIRouter(prefix=ROSTERS, tags=["rosters"])
Publisher = Annotated[Principal, Depends(department(SCOPE_PUBLISH))]
T = TypeVar("T")
BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            NDJSON: {"schema": {"type": "string", "description": "one standard person record per line"}},
            "text/csv": {"schema": {"type": "string", "description": "a header row of field names"}},
        },
    }
}


class MatchingRefused(AppError):
    """Matching's refusal of an upload (too large, unreadable …), passed on with its status."""

    code = "roster_refused"
    title = Text("The roster was refused", "名册被拒收")

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(Text(detail, detail))
        self.status = status  # type: ignore[misc]  # matching's


class UploadOut(BaseModel):
    id: str
    source: str
    mode: Literal["snapshot", "changes"]
    format: Literal["ndjson", "csv"]
    status: Literal["running", "done", "failed"]
    counts: dict[str, int] | None
    failure: str | None
    started_at: datetime
    finished_at: datetime | None
    rejections: list[RejectedLine]


async def _off_loop(db: Database, work: Callable[..., T], *args: Any) -> T:
    def run() -> T:
        with db.unit_of_work() as uow:
            return work(uow.session, *args)

    return await to_thread.run_sync(run)


def _out(upload: Any, rejections: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        **UploadOut.model_validate({**vars(upload), "rejections": []}).model_dump(),
        "rejections": rejections,
    }


async def _lines(request: Request, fmt: str, mode: str) -> AsyncIterator[bytes]:
    if fmt == "ndjson":
        async for block in request.stream():
            yield block
        return
    csv = CsvToNdjson(mode)
    async for block in request.stream():
        for line in csv.feed(block):
            yield line
    for line in csv.close():
        yield line


@router.post("/{source}/{mode}", status_code=201, response_model=UploadOut, openapi_extra=BODY,
             summary="Publish a roster: a full snapshot (records it lacks end) or changes")  # fmt: skip
async def publish(
    source: str, mode: Literal["snapshot", "changes"], request: Request, caller: Publisher
) -> dict[str, Any]:
    fmt = FORMATS.get(request.headers.get("content-type", "").split(";")[0].strip().lower())
    if fmt is None:
        raise UnsupportedMediaType(
            Text(f"Send the roster as {NDJSON} or text/csv.", f"名册应以 {NDJSON} 或 text/csv 格式发送。")
        )
    db: Database = request.app.state.db
    upload_id = await _off_loop(db, rosters.start, caller, source, mode, fmt)
    try:
        async with MatchingRosters(request.app.state.settings) as matching:
            answer = await matching.send(source, mode, _lines(request, fmt, mode))
    except CsvError as exc:
        await _off_loop(db, rosters.fail, upload_id, f"CSV: {exc}")
        raise BadRequest(Text(f"The CSV cannot be read: {exc}.", f"无法读取 CSV：{exc}。")) from exc
    except ClientDisconnect:
        await _off_loop(db, rosters.fail, upload_id, "the upload was interrupted before its end")
        raise
    except httpx.HTTPError as exc:
        await _off_loop(db, rosters.fail, upload_id, f"matching unreachable: {type(exc).__name__}")
        raise ServiceUnavailable(
            Text("Matching cannot take the roster now.", "比对服务暂时无法接收名册。")
        ) from exc
    body = answer.json()
    if answer.status_code != 201:  # matching refused it (too large, not NDJSON …): its reason, its status
        await _off_loop(db, rosters.fail, upload_id, str(body.get("detail", answer.status_code)))
        raise MatchingRefused(answer.status_code, str(body.get("detail", "")))
    upload = await _off_loop(db, rosters.finish, upload_id, body)
    return _out(upload, body.get("rejections", []))


@router.get("/uploads/{upload_id}", response_model=UploadOut, summary="An upload's counts and rejected lines")
async def read_upload(
    upload_id: str,
    request: Request,
    caller: Publisher,
    after_line: int = Query(0, ge=0, le=MAX_INT, description="Rejections after this line (paging)"),
    limit: int = Query(1000, ge=1, le=10_000),
) -> dict[str, Any]:
    upload = await _off_loop(request.app.state.db, rosters.visible, caller, upload_id)
    rejections: list[dict[str, Any]] = []
    if upload.matching_upload_id:
        async with MatchingRosters(request.app.state.settings) as matching:
            rejections = (await matching.upload(upload.matching_upload_id, after_line, limit))["rejections"]
    return _out(upload, rejections)
