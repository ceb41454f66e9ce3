"""Webhook subscriptions and their delivery.

A subscription follows one feed in the subscribing client's view (its scopes, its division),
from the feed's head at the time it was made. Deliveries go in order, one event at a time, as
thin payloads that say what happened and where to read it; each is signed (``domain.webhooks``).
A failed delivery is retried with exponential backoff and jitter; after ``max_attempts`` the
subscription is dead (the dead letter: its cursor is the first event not delivered) until the
client replays it from a cursor of its choice. Rows are locked while their deliveries run, so
replicas never deliver one subscription's events twice at once.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson
from sqlalchemy.orm import Session

from services.exchange.adapters.orm import Webhook
from services.exchange.adapters.repository import ClientRepository, DepartmentRepository, WebhookRepository
from services.exchange.domain import webhooks as signing
from services.exchange.domain.feeds import FEEDS
from services.exchange.service import feeds
from services.exchange.service.rosters import caller_client
from shared.auth import Principal
from shared.db import Database
from shared.errors import Forbidden, NotFound, bad_field
from shared.events.outbox import last_sequence, utcnow
from shared.i18n import Text
from shared.logs import get_logger

log = get_logger("snx.exchange.webhooks")
BATCH = 20


def subscribe(
    session: Session, caller: Principal, *, feed: str, url: str, types: list[str], allow_private: bool
) -> Webhook:
    client = caller_client(session, caller)
    if feed not in FEEDS:
        known = Text(
            f"Unknown feed; one of: {', '.join(FEEDS)}.", f"未知的数据流；可选：{'、'.join(FEEDS)}。"
        )
        raise bad_field("feed", "invalid", known)
    missing = [s for s in FEEDS[feed].scopes if s not in caller.scopes]
    if missing:
        needs = ", ".join(missing)
        raise Forbidden(
            Text(f"Following {feed} needs the {needs} scope.", f"订阅 {feed} 需要 {needs} 权限。")
        )
    target = urlsplit(url)
    if target.scheme != "https" and not (allow_private and target.scheme == "http"):
        raise bad_field("url", "invalid", Text("The target must be an https URL.", "推送地址必须为 https。"))
    if not target.hostname:
        raise bad_field("url", "invalid", Text("The target URL has no host.", "推送地址缺少主机名。"))
    why = None if allow_private else signing.private_target(target.hostname)
    if why:
        raise bad_field("url", "invalid", Text(f"Refused target: {why}.", f"拒绝的推送地址：{why}。"))
    now = utcnow()
    hook = Webhook(
        id=str(uuid.uuid4()),
        client_id=client.client_id,
        feed=feed,
        url=url,
        types=sorted(set(types)),
        secret=signing.new_secret(),
        status="active",
        cursor=last_sequence(session),
        attempts=0,
        next_attempt_at=now,
        last_error=None,
        created_at=now,
    )
    WebhookRepository(session).add(hook)
    return hook


def own(session: Session, caller: Principal, hook_id: str) -> Webhook:
    client = caller_client(session, caller)
    hook = WebhookRepository(session).get(hook_id)
    if hook is None or hook.client_id != client.client_id:
        raise NotFound(Text("No such subscription.", "没有该订阅。"))
    return hook


def replay(session: Session, caller: Principal, hook_id: str, after: int) -> Webhook:
    """Deliver again from ``after`` (a dead subscription comes back to life)."""
    hook = own(session, caller, hook_id)
    hook.cursor, hook.status, hook.attempts, hook.last_error = after, "active", 0, None
    hook.next_attempt_at = utcnow()
    return hook


def thin(feed: str, event: dict[str, Any]) -> bytes:
    """What happened and where to read it — the data stays behind the feed's scopes."""
    return orjson.dumps(
        {
            "id": event["id"],
            "type": event["type"],
            "time": event["time"],
            "seq": event["seq"],
            "subject": event.get("subject"),
            "feed": feed,
            "read": f"/v1/feeds/{feed}?after={event['prevseq']}&limit=1",
        }
    )


def _principal(session: Session, hook: Webhook) -> Principal | None:
    client = ClientRepository(session).get(hook.client_id)
    if client is None or not client.active:
        return None
    department = DepartmentRepository(session).get(client.department_code)
    return Principal(
        subject=f"client:{client.client_id}",
        scopes=frozenset(client.scopes),
        division=department.division_code if department else None,
        claims={"department": client.department_code},
    )


def deliver_due(
    db: Database, *, timeout: float = 5.0, max_attempts: int = 8, transport: httpx.BaseTransport | None = None
) -> int:
    """One round: each due subscription's next events, in order. Returns deliveries made."""
    feeds.number_pending(db)
    delivered = 0
    with db.unit_of_work() as uow, httpx.Client(timeout=timeout, transport=transport) as http:
        now = utcnow()
        for hook in WebhookRepository(uow.session).due(now, BATCH):
            caller = _principal(uow.session, hook)
            if caller is None or not set(FEEDS[hook.feed].scopes) <= caller.scopes:
                hook.status, hook.last_error = "disabled", "the client is disabled or lost the feed's scope"
                continue
            delivered += _deliver(uow.session, http, hook, caller, now, max_attempts)
    return delivered


def _deliver(
    session: Session, http: httpx.Client, hook: Webhook, caller: Principal, now: datetime, max_attempts: int
) -> int:
    page = feeds.read(session, FEEDS[hook.feed], caller, hook.cursor, BATCH)
    done = 0
    for event in page["events"]:
        if hook.types and event["type"] not in hook.types:
            hook.cursor = event["seq"]
            continue
        body = thin(hook.feed, event)
        try:
            response = http.post(
                hook.url, content=body, headers=signing.headers(hook.secret, event["id"], body)
            )
            failure = None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
        except httpx.HTTPError as exc:
            failure = type(exc).__name__
        if failure is None:
            hook.cursor, hook.attempts, hook.last_error = event["seq"], 0, None
            done += 1
            continue
        hook.attempts += 1
        hook.last_error = failure
        if hook.attempts >= max_attempts:
            hook.status = "dead"
            log.warning("webhook.dead", webhook=hook.id, seq=event["seq"], error=failure)
        else:
            hook.next_attempt_at = now + timedelta(seconds=signing.backoff_seconds(hook.attempts))
        return done
    if not page["has_more"]:
        hook.cursor = max(hook.cursor, page["next_after"])  # past events that are not the client's
    return done
