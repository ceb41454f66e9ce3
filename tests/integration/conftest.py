"""intake with a real matching pre-check server (the contract stub) on loopback."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from tests.conftest import make_app
from tests.matching_stub import Roster, StubServer


@pytest.fixture(scope="session")
def matching_stub() -> Iterator[StubServer]:
    with StubServer(Roster()) as server:
        yield server


@pytest.fixture
def roster(matching_stub: StubServer) -> Iterator[Roster]:
    roster = matching_stub.roster
    roster.aided.clear()
    roster.applying.clear()
    roster.fail, roster.delay_seconds, roster.calls = False, 0.0, 0
    yield roster


@pytest.fixture
def intake_app(
    db_url: Callable[[str], str], matching_stub: StubServer, roster: Roster
) -> Iterator[TestClient]:
    """intake on this test's backend, asking the stub for pre-checks (workers off: tests drive them)."""
    app = make_app("intake", db_url("intake"), matching_url=matching_stub.url, workers_enabled=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client
