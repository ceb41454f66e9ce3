"""Webhook subscriptions of a department client."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from services.exchange.adapters.orm import Webhook
from services.exchange.adapters.repository import WebhookRepository
from services.exchange.api.deps import department
from services.exchange.service import webhooks
from services.exchange.service.rosters import caller_client
from shared.auth import Principal
from shared.web.deps import SessionDep
from shared.web.internal import MAX_INT

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])
Subscriber = Annotated[Principal, Depends(department("webhooks"))]


class WebhookIn(BaseModel):
    feed: str = Field(description="findings, enrolments or persons")
    url: str = Field(min_length=8, max_length=500, description="https target")
    types: list[str] = Field(default_factory=list, max_length=20, description="Only these event types")


class WebhookOut(BaseModel):
    id: str
    feed: str
    url: str
    types: list[str]
    status: Literal["active", "dead", "disabled"]
    cursor: int = Field(description="The last seq delivered; a dead subscription stops after it")
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime


class WebhookCreated(WebhookOut):
    secret: str = Field(description="whsec_… — signs every delivery; shown this once")


class Replay(BaseModel):
    after: int = Field(ge=0, le=MAX_INT, description="Deliver the events after this seq again")


def _out(hook: Webhook) -> dict[str, Any]:
    return WebhookOut.model_validate(hook, from_attributes=True).model_dump()


@router.post("", status_code=201, response_model=WebhookCreated, summary="Subscribe to a feed")
def subscribe(body: WebhookIn, request: Request, session: SessionDep, caller: Subscriber) -> dict[str, Any]:
    allow = request.app.state.settings.webhooks_allow_private
    hook = webhooks.subscribe(
        session, caller, feed=body.feed, url=body.url, types=body.types, allow_private=allow
    )
    return {**_out(hook), "secret": hook.secret}


@router.get("", response_model=list[WebhookOut], summary="This client's subscriptions")
def mine(session: SessionDep, caller: Subscriber) -> list[dict[str, Any]]:
    return [_out(h) for h in WebhookRepository(session).of_client(caller_client(session, caller).client_id)]


@router.get("/{hook_id}", response_model=WebhookOut, summary="A subscription and its delivery state")
def one(hook_id: str, session: SessionDep, caller: Subscriber) -> dict[str, Any]:
    return _out(webhooks.own(session, caller, hook_id))


@router.post("/{hook_id}/replay", response_model=WebhookOut, summary="Deliver again from a cursor")
def replay(hook_id: str, body: Replay, session: SessionDep, caller: Subscriber) -> dict[str, Any]:
    return _out(webhooks.replay(session, caller, hook_id, body.after))


@router.delete("/{hook_id}", response_model=WebhookOut, summary="Stop a subscription")
def stop(hook_id: str, session: SessionDep, caller: Subscriber) -> dict[str, Any]:
    hook = webhooks.own(session, caller, hook_id)
    hook.status = "disabled"
    return _out(hook)
