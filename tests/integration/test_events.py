"""Outbox → feed → consumer: restarts of either side lose nothing and apply nothing twice."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select, update
from sqlalchemy.orm import Session

from shared.db import Database
from shared.events.consumer import FeedConsumer, read_position
from shared.events.models import ConsumerCursor
from shared.events.outbox import append_event, fetch_page
from tests.conftest import make_app
from tests.support import auth

effects = Table("test_effect", MetaData(), Column("n", Integer), Column("event_id", String(36)))
TYPE = "cn.snx.test.thing.happened"


def produce(db: Database, start: int, count: int) -> None:
    for n in range(start, start + count):
        with db.unit_of_work() as uow:
            append_event(uow.session, TYPE, {"n": n}, subject=f"thing/{n}")


def applied(db: Database) -> list[int]:
    with db.unit_of_work() as uow:
        return sorted(uow.session.scalars(select(effects.c.n)))


class Crash(Exception):
    pass


def handler_crashing_at(n_crash: int | None) -> Callable[[Session, dict[str, Any]], None]:
    state = {"crashed": False}

    def handle(session: Session, event: dict[str, Any]) -> None:
        session.execute(insert(effects).values(n=event["data"]["n"], event_id=event["id"]))
        if event["data"]["n"] == n_crash and not state["crashed"]:
            state["crashed"] = True
            raise Crash("the consumer died while applying this event")

    return handle


def producer_client(url: str) -> TestClient:
    return TestClient(make_app("intake", url), headers=auth("intake", "events:read"))


def test_consumer_restart_mid_feed_loses_and_repeats_nothing(db_url: Callable[[str], str]) -> None:
    producer_url, consumer_url = db_url("intake"), db_url("matching")
    consumer_db = Database(consumer_url)
    effects.create(consumer_db.engine, checkfirst=True)
    with producer_client(producer_url) as client:
        produce(client.app.state.db, 0, 250)  # type: ignore[attr-defined]
        first = FeedConsumer("intake", consumer_db, client, {TYPE: handler_crashing_at(97)}, page_size=40)
        with pytest.raises(Crash):
            first.drain()
    # The event being applied when it died was rolled back with its cursor move.
    assert applied(consumer_db) == list(range(97))
    assert read_position(consumer_db, "intake") == 97
    consumer_db.dispose()

    # Both sides restart: a new producer app, a new consumer with a new database handle.
    consumer_db = Database(consumer_url)
    with producer_client(producer_url) as client:
        second = FeedConsumer("intake", consumer_db, client, {TYPE: handler_crashing_at(None)}, page_size=40)
        assert second.drain() == 250 - 97
        assert applied(consumer_db) == list(range(250))

        # The cursor is lost (say, restored from an old backup): every event comes again and
        # the inbox recognises each one.
        with consumer_db.unit_of_work() as uow:
            uow.session.execute(update(ConsumerCursor).values(position=0))
        assert second.drain() == 0
        assert applied(consumer_db) == list(range(250))
        assert read_position(consumer_db, "intake") == 250

        produce(client.app.state.db, 250, 10)  # type: ignore[attr-defined]
        assert second.drain() == 10
    assert applied(consumer_db) == list(range(260))
    with consumer_db.unit_of_work() as uow:
        assert uow.session.scalar(select(func.count()).select_from(effects)) == 260
    consumer_db.dispose()


def test_events_without_a_handler_are_recorded_and_passed(db_url: Callable[[str], str]) -> None:
    consumer_db = Database(db_url("matching"))
    with producer_client(db_url("intake")) as client:
        produce(client.app.state.db, 0, 3)  # type: ignore[attr-defined]
        assert FeedConsumer("intake", consumer_db, client, {}).drain() == 3
    assert read_position(consumer_db, "intake") == 3
    consumer_db.dispose()


def test_concurrent_writers_never_make_a_reader_skip(db_url: Callable[[str], str]) -> None:
    """Sequence numbers are handed out after commit, so a reader paging while four writers commit
    sees every event once, numbered 1..N without gaps."""
    db = Database(db_url("intake"))
    writers, per_writer = 4, 60
    seen: list[int] = []
    ids: set[str] = set()
    done = threading.Event()

    def write(w: int) -> None:
        produce(db, w * 1000, per_writer)

    def read() -> None:
        after = 0
        while len(seen) < writers * per_writer and not done.is_set():
            page = fetch_page(db, "/snx/test", after, 25)
            for event in page["events"]:
                seen.append(event["seq"])
                ids.add(event["id"])
            after = page["next_after"]

    reader = threading.Thread(target=read)
    reader.start()
    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    reader.join(timeout=60)
    done.set()
    assert seen == list(range(1, writers * per_writer + 1))
    assert len(ids) == writers * per_writer
    db.dispose()
