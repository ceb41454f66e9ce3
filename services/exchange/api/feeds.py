"""Departments' feeds: cursor-paged CloudEvents with the feed's sequence numbers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from services.exchange.api.deps import department
from services.exchange.service import feeds
from shared.auth import Principal
from shared.web.internal import CloudEvent

router = APIRouter(prefix="/v1/feeds", tags=["feeds"])
FindingsReader = Annotated[Principal, Depends(department("feeds:findings"))]


class FeedEvent(CloudEvent):
    prevseq: int


class FeedPage(BaseModel):
    events: list[FeedEvent]
    next_after: int
    has_more: bool
    last_seq: int


@router.get(
    "/findings/export",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/x-ndjson": {}}}},
    summary="Bulk export: every finding event since a time, NDJSON, streamed (after FHIR Bulk Data)",
)
def export(
    request: Request,
    caller: FindingsReader,
    since: datetime | None = Query(None, alias="_since", description="Events at or after this instant"),
) -> StreamingResponse:
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    lines = feeds.export_findings(request.app.state.db, caller, since)
    return StreamingResponse(lines, media_type="application/x-ndjson")


@router.get("/findings", response_model=FeedPage, summary="Findings relevant to this department")
async def findings(
    request: Request,
    caller: FindingsReader,
    after: int = Query(0, ge=0, description="The seq of the last event processed"),
    limit: int = Query(100, ge=1, le=1000),
) -> dict[str, Any]:
    return await to_thread.run_sync(feeds.findings_page, request.app.state.db, caller, after, limit)
