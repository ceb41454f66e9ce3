"""intake's events reach matching's person index once each, through ``kill -9`` of either side."""

from __future__ import annotations

import time
from typing import Any

import httpx
from sqlalchemy import create_engine, func, select

from services.matching.adapters.orm import Record
from shared.db import normalize_url
from shared.events.models import InboxEvent
from tests.e2e.conftest import Stack
from tests.intake_data import TOWNSHIP, application
from tests.support import auth

STAFF = auth("intake", "intake:read", "intake:write", division=TOWNSHIP)


def submit(stack: Stack, n: int) -> None:
    body = application()
    response = httpx.post(
        f"{stack.urls['intake']}/v1/applications",
        json=body,
        headers={**STAFF, "Idempotency-Key": f"feed-{n}"},
        timeout=30,
    )
    assert response.status_code == 201, response.text


def test_intake_events_survive_kills_of_matching_and_of_intake(stack: Stack) -> None:
    for n in range(10):
        submit(stack, n)
    stack.kill("matching")  # mid-flow: some events applied, some not
    for n in range(10, 20):
        submit(stack, n)
    stack.start("matching")
    stack.kill("intake")
    time.sleep(0.5)  # matching polls a producer that is down, and backs off
    stack.start("intake")
    for n in range(20, 30):
        submit(stack, n)

    engine = create_engine(normalize_url(stack.database_urls["matching"]))

    def intake_feed() -> Any:
        params = {"limit": 1000}
        return httpx.get(
            f"{stack.urls['intake']}/internal/events", params=params, headers=auth("intake", "events:read")
        ).json()

    submitted = [e for e in intake_feed()["events"] if e["type"].endswith("application.submitted")]
    assert len(submitted) == 30
    deadline = time.monotonic() + 60
    with engine.connect() as conn:
        while time.monotonic() < deadline:  # intake's workers may still add events (pre-checks retried)
            feed = intake_feed()
            applied = conn.scalar(select(func.count()).select_from(InboxEvent))
            if applied == len(feed["events"]):
                break
            time.sleep(0.2)
        assert applied == len(feed["events"])  # every event once (the inbox is keyed by event id)
        records = conn.scalar(select(func.count()).where(Record.source == "intake"))
        assert records == 30 * 3  # every member of every application, once
    engine.dispose()
