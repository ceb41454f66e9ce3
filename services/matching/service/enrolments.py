"""Enrolment events: who started or stopped receiving which aid, for exchange's enrolments feed.

Each record remembers whether the feed last said it was being received (``aid_published``). When
the rules run over persons whose records changed, every record of theirs whose aid now differs
from what was published gives one event — ``cn.snx.matching.enrolment.started`` or ``.stopped``
— and the flag follows, in the same transaction. So an event is published once per change,
whether the change came as a roster snapshot, a change set or intake's workflow, and a re-sent
roster publishes nothing. A first roster of a million records publishes a million ``started``
events: the feed begins with who is receiving what.
A record that moves to another person (a merge) keeps its enrolment: the persons feed says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from services.matching.adapters.orm import Record
from services.matching.adapters.repository import RecordRepository
from shared.db import insert_rows
from shared.events.models import OutboxEvent
from shared.events.outbox import Event, event_rows

EVENT = "cn.snx.matching.enrolment"


def _event(r: Record, receiving: bool) -> Event:
    data: dict[str, Any] = {
        "change": "started" if receiving else "stopped",
        "person_id": r.person_id,
        "source": r.source,
        "record_id": r.record_id,
        "programme": r.programme,
        "status": r.status,
        "start_date": r.start_date.isoformat() if r.start_date else None,
        "end_date": r.end_date.isoformat() if r.end_date else None,
        "amount": str(r.amount) if r.amount is not None else None,
        "division_code": r.division_code,
    }
    return f"{EVENT}.{data['change']}", data, f"person/{r.person_id}"


def publish(session: Session, records: Iterable[tuple[Record, bool]]) -> int:
    """Publish the enrolment changes among ``(record, receiving now)``; returns how many.

    The flag is set with a conditional UPDATE that returns the rows it changed, and only those are
    published: two replicas checking the same person at once publish each change once (the second
    UPDATE waits for the first to commit, then finds nothing left to change)."""
    changed = {
        record.pk: (record, receiving)
        for record, receiving in records
        if record.person_id and receiving != bool(record.aid_published)
    }
    if not changed:
        return 0
    repo = RecordRepository(session)
    won = set()
    for value in (True, False):
        pks = [pk for pk, (_, receiving) in changed.items() if receiving is value]
        won |= repo.flag_aid(pks, value)
    events = [_event(*changed[pk]) for pk in sorted(won)]
    insert_rows(session, OutboxEvent, event_rows(events))
    return len(events)
