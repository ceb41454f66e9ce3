"""Departments' feeds: cursor-paged CloudEvents with the feed's sequence numbers, and a bulk
NDJSON export of each (``/v1/feeds/{findings,enrolments,persons}``)."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
from anyio import to_thread
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel

from services.exchange.api.deps import department
from services.exchange.domain.feeds import FEEDS, Feed
from services.exchange.service import feeds
from shared.auth import Principal
from shared.web.internal import MAX_INT, CloudEvent

router = APIRouter(prefix="/v1/feeds", tags=["feeds"])
WHAT = {
    "findings": "Findings relevant to this department",
    "enrolments": "Who started or stopped which aid, in programmes this department may know",
    "persons": "Changes of who is who touching persons this department holds",
}


class FeedEvent(CloudEvent):
    prevseq: int


class FeedPage(BaseModel):
    events: list[FeedEvent]
    next_after: int
    has_more: bool
    last_seq: int


def _routes(feed: Feed) -> None:
    reader = Depends(department(*feed.scopes))

    @router.get(
        f"/{feed.name}/export",
        response_class=StreamingResponse,
        responses={200: {"content": {"application/x-ndjson": {}}}},
        summary=f"Bulk export of {feed.name} since a time: NDJSON, streamed (after FHIR Bulk Data)",
    )
    def export(
        request: Request,
        caller: Principal = reader,
        since: datetime | None = Query(None, alias="_since", description="Events at or after this instant"),
    ) -> StreamingResponse:
        if since is not None and since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        lines = feeds.export(request.app.state.db, feed, caller, since)
        return StreamingResponse(lines, media_type="application/x-ndjson")

    @router.get(f"/{feed.name}", response_model=FeedPage, summary=WHAT[feed.name])
    async def read(
        request: Request,
        caller: Principal = reader,
        after: int = Query(0, ge=0, le=MAX_INT, description="The seq of the last event processed"),
        limit: int = Query(100, ge=1, le=1000),
    ) -> Response:
        page = await to_thread.run_sync(feeds.page, request.app.state.db, feed, caller, after, limit)
        return Response(orjson.dumps(page), media_type="application/json")  # built as FeedPage says


for _feed in FEEDS.values():
    _routes(_feed)
