"""Standardized feeds for departments: findings, enrolments, persons (``domain.feeds``).

matching's events arrive through exchange's consumer of matching's feed (exactly once: the
consumer's inbox) and are re-published in exchange's own outbox as ``cn.snx.exchange.<kind>.…``
— numbered without gaps once committed (``assign_sequence``). A department reads the events of a
feed relevant to it as CloudEvents with the outbox's ``seq``, each cut to what its scopes allow.
Because a department sees only some events, each carries ``prevseq``: the ``seq`` of the previous
event in *that caller's* view of that feed (0: none). A consumer that keeps the ``seq`` of the
last event it processed and finds ``prevseq`` different from it has missed something (it skipped
a page, or resumed from the wrong cursor): the gap is visible.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from functools import partial
from typing import Any

import orjson
from sqlalchemy.orm import Session

from services.exchange.adapters.repository import FeedRepository
from services.exchange.domain.feeds import FEEDS, Feed
from shared.auth import Principal
from shared.db import Database
from shared.events.consumer import Handler
from shared.events.outbox import (
    EventRow,
    append_event,
    assign_sequence,
    has_unsequenced,
    last_sequence,
    to_cloudevent,
)

SCAN = 500  # events read per query while filtering
EXPORT_BLOCK = 64 * 1024  # bytes per block of the NDJSON export


def republish(feed: Feed, session: Session, event: dict[str, Any]) -> None:
    change = str(event["type"]).removeprefix(feed.incoming)
    subject = event.get("subject") if feed.keeps_subject else None
    append_event(session, feed.published + change, dict(event["data"]), subject=subject)


HANDLERS: dict[str, Handler] = {
    feed.incoming + change: partial(republish, feed) for feed in FEEDS.values() for change in feed.changes
}


def _event(feed: Feed, caller: Principal, row: EventRow) -> dict[str, Any]:
    event = to_cloudevent(row, feed.source)
    event["data"] = feed.view(caller, row.data)
    event.setdefault("subject", None)
    return event


def _previous(feed: Feed, rows: FeedRepository, caller: Principal, at_or_before: int) -> int:
    """The seq of the last event relevant to the caller at or before ``at_or_before`` (0: none).
    Looks back a few rows first, then more: for most readers it is the row just before."""
    upto, scan = at_or_before, 8
    while upto > 0:
        batch = rows.before(upto, scan)
        for row in batch:
            if feed.relevant(caller, row.data):
                return int(row.seq or 0)
        if len(batch) < scan:
            return 0
        upto, scan = int(batch[-1].seq or 0) - 1, min(scan * 4, SCAN)
    return 0


def number_pending(db: Database) -> None:
    """Give committed events their place in the feed (``assign_sequence``)."""
    with db.unit_of_work() as uow:
        if has_unsequenced(uow.session):
            assign_sequence(uow.session)


def page(db: Database, feed: Feed, caller: Principal, after: int, limit: int) -> dict[str, Any]:
    number_pending(db)
    with db.unit_of_work() as uow:
        return read(uow.session, feed, caller, after, limit)


def read(session: Session, feed: Feed, caller: Principal, after: int, limit: int) -> dict[str, Any]:
    """One page of the caller's view of ``feed`` after ``after`` (read only)."""
    rows = FeedRepository(session, feed.published)
    head = last_sequence(session)
    previous = _previous(feed, rows, caller, after)
    events: list[dict[str, Any]] = []
    cursor = after
    while len(events) < limit:
        batch = rows.after(cursor, head, SCAN)
        for row in batch:
            cursor = int(row.seq or cursor)
            if feed.relevant(caller, row.data):
                events.append({**_event(feed, caller, row), "prevseq": previous})
                previous = cursor
                if len(events) == limit:
                    break
        if len(batch) < SCAN or len(events) == limit:
            break
    full = len(events) == limit  # else everything up to ``cursor`` was read: nothing more for now
    return {"events": events, "next_after": cursor, "has_more": full and cursor < head, "last_seq": head}


def export(db: Database, feed: Feed, caller: Principal, since: datetime | None) -> Iterator[bytes]:
    """Every event of ``feed`` for the caller since a time, one CloudEvent per line (NDJSON),
    read a thousand rows at a time and sent in blocks of about 64 KiB: memory stays flat however
    long the feed, and the server does not hop threads once per line."""
    number_pending(db)
    block: list[bytes] = []
    size = 0
    with db.unit_of_work() as uow:
        for row in FeedRepository(uow.session, feed.published).since(since):
            if feed.relevant(caller, row.data):
                line = orjson.dumps(_event(feed, caller, row)) + b"\n"
                block.append(line)
                size += len(line)
                if size >= EXPORT_BLOCK:
                    yield b"".join(block)
                    block, size = [], 0
    if block:
        yield b"".join(block)
