"""Internal endpoints every service has: its event feed and the state of its feed consumers."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from shared.auth import SCOPE_EVENTS_READ, Principal, require_scopes
from shared.db import Database
from shared.events.consumer import list_cursors
from shared.events.outbox import fetch_page

MAX_INT = 2**63 - 1  # the largest number a BIGINT column (and SQLite) holds
router = APIRouter(prefix="/internal", tags=["internal"])


class CloudEvent(BaseModel):
    specversion: str
    id: str
    source: str
    type: str
    time: str
    datacontenttype: str
    seq: int
    subject: str | None = None
    data: dict[str, Any]


class EventPage(BaseModel):
    events: list[CloudEvent]
    next_after: int
    has_more: bool
    last_seq: int


class ConsumerState(BaseModel):
    feed: str
    position: int
    applied_count: int
    error_count: int
    last_error: str | None
    updated_at: str


@router.get(
    "/events", response_model=EventPage, summary="This service's event feed (cursor-paged CloudEvents)"
)
def events(
    request: Request,
    after: int = Query(0, ge=0, le=MAX_INT, description="Return events with seq greater than this"),
    limit: int = Query(100, ge=1, le=1000),
    _: Principal = Depends(require_scopes(SCOPE_EVENTS_READ)),
) -> dict[str, Any]:
    service: str = request.app.state.settings.service_name
    return fetch_page(request.app.state.db, f"/snx/{service}", after, limit)


@router.get("/consumers", response_model=list[ConsumerState], summary="Feeds this service consumes")
def consumers(
    request: Request, _: Principal = Depends(require_scopes(SCOPE_EVENTS_READ))
) -> list[dict[str, Any]]:
    db: Database = request.app.state.db
    with db.unit_of_work() as uow:
        return [
            {
                "feed": c.feed,
                "position": c.position,
                "applied_count": c.applied_count,
                "error_count": c.error_count,
                "last_error": c.last_error,
                "updated_at": c.updated_at.isoformat(),
            }
            for c in list_cursors(uow.session)
        ]
