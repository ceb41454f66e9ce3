"""Pulling another service's feed: a persisted cursor and idempotent application by event id.

Each event is applied in its own transaction together with its inbox row and the cursor move, so
after a crash of either side the consumer resumes where its last commit left it: nothing lost,
nothing applied twice (a redelivered event finds its id in the inbox and only moves the cursor).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.codes.masking import mask_id_numbers_in_text
from shared.db import Database
from shared.events.models import ConsumerCursor, InboxEvent
from shared.events.outbox import utcnow
from shared.logs import get_logger

Handler = Callable[[Session, dict[str, Any]], None]
log = get_logger("snx.consumer")


@dataclass(frozen=True)
class PollResult:
    received: int
    applied: int
    skipped: int
    has_more: bool


def _cursor(session: Session, feed: str) -> ConsumerCursor:
    cursor = session.get(ConsumerCursor, feed)
    if cursor is None:
        cursor = ConsumerCursor(feed=feed, position=0, applied_count=0, error_count=0, updated_at=utcnow())
        session.add(cursor)
        session.flush()
    return cursor


def read_position(db: Database, feed: str) -> int:
    with db.unit_of_work() as uow:
        cursor = uow.session.get(ConsumerCursor, feed)
        return cursor.position if cursor else 0


def list_cursors(session: Session) -> list[ConsumerCursor]:
    return list(session.scalars(select(ConsumerCursor).order_by(ConsumerCursor.feed)))


class FeedConsumer:
    """Applies the events of one feed (``GET {path}?after=&limit=`` on ``client``) to ``db``.

    ``handlers`` maps event types to functions ``(session, event) -> None``; event types with no
    handler are recorded as seen and skipped, so new producers never block old consumers.
    """

    def __init__(
        self,
        feed: str,
        db: Database,
        client: httpx.Client,
        handlers: Mapping[str, Handler],
        *,
        path: str = "/internal/events",
        page_size: int = 200,
    ) -> None:
        self.feed = feed
        self.db = db
        self.client = client
        self.handlers = dict(handlers)
        self.path = path
        self.page_size = page_size
        self.head: int | None = None

    def _apply(self, event: dict[str, Any]) -> bool:
        """Apply one event with its inbox row and cursor move in one transaction."""
        with self.db.unit_of_work() as uow:
            session = uow.session
            cursor = _cursor(session, self.feed)
            seq = int(event["seq"])
            if seq <= cursor.position:
                return False  # an older page re-read after a restart: already covered
            if seq != cursor.position + 1:
                log.warning("consumer.gap", feed=self.feed, expected=cursor.position + 1, got=seq)
            duplicate = session.get(InboxEvent, event["id"]) is not None
            if not duplicate:
                handler = self.handlers.get(event["type"])
                if handler is not None:
                    handler(session, event)
                session.add(
                    InboxEvent(
                        event_id=event["id"], feed=self.feed, seq=seq, type=event["type"], applied_at=utcnow()
                    )
                )
                cursor.applied_count += 1
            cursor.position = seq
            cursor.updated_at = utcnow()
            cursor.last_error = None
            return not duplicate

    def _record_error(self, error: str) -> None:
        with self.db.unit_of_work() as uow:
            cursor = _cursor(uow.session, self.feed)
            cursor.last_error = mask_id_numbers_in_text(error)[:2000]
            cursor.error_count += 1
            cursor.updated_at = utcnow()

    def poll_once(self) -> PollResult:
        """Fetch one page after the stored cursor and apply it. Raises on transport errors; a
        handler error is recorded on the cursor and stops this page at the failing event."""
        after = read_position(self.db, self.feed)
        response = self.client.get(self.path, params={"after": after, "limit": self.page_size})
        response.raise_for_status()
        page = response.json()
        self.head = page.get("last_seq")  # the producer's head as last seen: the lag for /metrics
        applied = skipped = 0
        for event in page["events"]:
            try:
                if self._apply(event):
                    applied += 1
                else:
                    skipped += 1
            except Exception as exc:
                log.error(
                    "consumer.apply_failed", feed=self.feed, seq=event.get("seq"), error=type(exc).__name__
                )
                self._record_error(f"{type(exc).__name__} at seq {event.get('seq')}: {exc}")
                raise
        return PollResult(len(page["events"]), applied, skipped, bool(page.get("has_more")))

    def drain(self, max_pages: int = 1_000_000) -> int:
        """Poll until the feed has nothing more; returns the number of events applied."""
        total = 0
        for _ in range(max_pages):
            result = self.poll_once()
            total += result.applied
            if not result.has_more:
                break
        return total

    def run(self, stop: threading.Event, interval: float) -> None:
        """Loop until ``stop`` is set: drain, then wait ``interval`` (backing off after errors)."""
        delay = interval
        while not stop.is_set():
            try:
                self.drain(max_pages=50)
                delay = interval
            except Exception as exc:  # the producer may be down: retry with backoff
                log.warning("consumer.poll_failed", feed=self.feed, error=type(exc).__name__)
                delay = min(max(delay * 2, interval), 30.0)
            stop.wait(delay)
