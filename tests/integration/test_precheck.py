"""Matching unavailable while townships submit: intake keeps accepting, and the pre-check completes
once matching is back (R3), against a real HTTP server implementing the pre-check contract."""

from __future__ import annotations

import time
from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.conftest import make_app
from tests.intake_data import TOWNSHIP, application
from tests.matching_stub import Roster, StubServer
from tests.support import auth, free_port

STAFF = auth("intake", "intake:read", "intake:write", division=TOWNSHIP)


def test_submissions_succeed_while_matching_is_down_and_are_checked_when_it_returns(
    db_url: Callable[[str], str],
) -> None:
    roster = Roster()
    stub = StubServer(roster, port=free_port())  # not started: matching is down
    app = make_app(
        "intake",
        db_url("intake"),
        matching_url=stub.url,
        workers_enabled=True,
        worker_poll_seconds=0.1,
        precheck_retry_seconds=0.1,
        precheck_retry_max_seconds=0.5,
        precheck_timeout_seconds=0.5,
    )
    with TestClient(app) as client:
        ids = []
        for i in range(5):
            body = application()
            if i == 0:
                roster.aided[body["members"][0]["id_number"]] = "dibao_urban"
            response = client.post(
                "/v1/applications", json=body, headers={**STAFF, "Idempotency-Key": f"k{i}"}
            )
            assert response.status_code == 201, response.text
            assert response.json()["precheck"]["status"] == "pending"
            ids.append(response.json()["id"])
        time.sleep(0.5)  # the worker keeps trying while matching is down; nothing changes
        assert {
            client.get(f"/v1/applications/{i}", headers=STAFF).json()["precheck"]["status"] for i in ids
        } == {"pending"}

        stub.start()
        try:
            deadline = time.monotonic() + 20
            states: list[dict] = []  # type: ignore[type-arg]
            while time.monotonic() < deadline:
                states = [client.get(f"/v1/applications/{i}", headers=STAFF).json()["precheck"] for i in ids]
                if all(s["status"] == "done" for s in states):
                    break
                time.sleep(0.1)
            assert [s["status"] for s in states] == ["done"] * 5
            assert states[0]["result"]["status"] == "hits" and states[0]["attempts"] >= 2
            assert {s["result"]["status"] for s in states[1:]} == {"clear"}
        finally:
            stub.stop()
        feed = client.get(
            "/internal/events", params={"limit": 100}, headers=auth("intake", "events:read")
        ).json()
        prechecked = [e for e in feed["events"] if e["type"] == "cn.snx.intake.application.prechecked"]
        assert sorted(e["data"]["application_id"] for e in prechecked) == sorted(ids)


def test_a_slow_matching_does_not_hold_up_a_submission(intake_app: TestClient, roster: Roster) -> None:
    roster.delay_seconds = 3.0  # longer than intake's pre-check timeout
    started = time.monotonic()
    response = intake_app.post(
        "/v1/applications", json=application(), headers={**STAFF, "Idempotency-Key": "slow"}
    )
    elapsed = time.monotonic() - started
    assert response.status_code == 201 and response.json()["precheck"]["status"] == "pending"
    assert elapsed < 2.5  # the short timeout, not matching's 3 s
