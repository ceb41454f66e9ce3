"""Standardized feeds for departments, starting with findings.

matching's finding events arrive through exchange's consumer of matching's feed (exactly once:
the consumer's inbox) and are re-published in exchange's own outbox as
``cn.snx.exchange.finding.<change>`` — numbered without gaps once committed (``assign_sequence``).
A department reads the events relevant to it (a programme its scopes cover, inside its division)
as CloudEvents with the feed's ``seq``. Because a department sees only some events, each carries
``prevseq``: the ``seq`` of the previous event in *that caller's* view (0: none). A consumer that
keeps the ``seq`` of the last event it processed and finds ``prevseq`` different from it has
missed something (it skipped a page, or resumed from the wrong cursor): the gap is visible.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy.orm import Session

from services.exchange.adapters.repository import FeedRepository
from services.exchange.domain.scopes import covers_programme
from shared.auth import Principal
from shared.db import Database
from shared.events.consumer import Handler
from shared.events.outbox import append_event, assign_sequence, has_unsequenced, last_sequence, to_cloudevent

FINDING = "cn.snx.matching.finding."
PUBLISHED = "cn.snx.exchange.finding."
SOURCE = "/snx/exchange/feeds/findings"
SCAN = 500  # events read per query while filtering


def finding_event(session: Session, event: dict[str, Any]) -> None:
    change = str(event["type"]).removeprefix(FINDING)
    append_event(session, PUBLISHED + change, dict(event["data"]), subject=event.get("subject"))


HANDLERS: dict[str, Handler] = {
    FINDING + change: finding_event for change in ("raised", "resolved", "confirmed", "dismissed", "open")
}


def relevant(caller: Principal, data: dict[str, Any]) -> bool:
    programmes: Iterable[str] = data.get("programmes") or []
    if not any(covers_programme(caller.scopes, p) for p in programmes):
        return False
    return caller.covers_division(data.get("division_code"))


def _previous(feed: FeedRepository, caller: Principal, at_or_before: int) -> int:
    """The seq of the last event relevant to the caller at or before ``at_or_before`` (0: none)."""
    upto = at_or_before
    while upto > 0:
        rows = feed.before(upto, SCAN)
        for row in rows:
            if relevant(caller, row.data):
                return int(row.seq or 0)
        if len(rows) < SCAN:
            return 0
        upto = int(rows[-1].seq or 0) - 1
    return 0


def findings_page(db: Database, caller: Principal, after: int, limit: int) -> dict[str, Any]:
    number_pending(db)
    with db.unit_of_work() as uow:
        return read_findings(uow.session, caller, after, limit)


def number_pending(db: Database) -> None:
    """Give committed events their place in the feed (``assign_sequence``)."""
    with db.unit_of_work() as uow:
        if has_unsequenced(uow.session):
            assign_sequence(uow.session)


def read_findings(session: Session, caller: Principal, after: int, limit: int) -> dict[str, Any]:
    """One page of the caller's view of the findings feed after ``after`` (read only)."""
    feed = FeedRepository(session, PUBLISHED)
    head = last_sequence(session)
    previous = _previous(feed, caller, after)
    events: list[dict[str, Any]] = []
    cursor = after
    while len(events) < limit:
        rows = feed.after(cursor, head, SCAN)
        for row in rows:
            cursor = int(row.seq or cursor)
            if relevant(caller, row.data):
                events.append({**to_cloudevent(row, SOURCE), "prevseq": previous})
                previous = cursor
                if len(events) == limit:
                    break
        if len(rows) < SCAN or len(events) == limit:
            break
    full = len(events) == limit  # else everything up to ``cursor`` was read: nothing more for now
    return {"events": events, "next_after": cursor, "has_more": full and cursor < head, "last_seq": head}


def export_findings(db: Database, caller: Principal, since: datetime | None) -> Iterator[bytes]:
    """Every finding event for the caller since a time, one CloudEvent per line (NDJSON), read
    a thousand rows at a time: memory stays flat however long the feed."""
    number_pending(db)
    with db.unit_of_work() as uow:
        for row in FeedRepository(uow.session, PUBLISHED).since(since):
            if relevant(caller, row.data):
                yield orjson.dumps(to_cloudevent(row, SOURCE)) + b"\n"
