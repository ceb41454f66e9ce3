"""Fixtures shared by the suite. Database tests run once per backend: SQLite always, PostgreSQL
as well when CI=true (or TEST_DATABASE_URL is set); the run's summary says how many ran on each."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests import support

BACKENDS = support.backends()
_passed: Counter[str] = Counter()


def pytest_report_header(config: pytest.Config) -> str:
    extra = f" ({support.redact_url(support.pg_server_url())})" if "postgresql" in BACKENDS else ""
    return f"snx database backends: {', '.join(BACKENDS)}{extra}"


def pytest_sessionstart(session: pytest.Session) -> None:
    if "postgresql" in BACKENDS and not support.pg_reachable():
        pytest.exit(
            f"PostgreSQL is required (CI={support.in_ci()}) but not reachable at "
            f"{support.redact_url(support.pg_server_url())}",
            returncode=3,
        )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    callspec = getattr(item, "callspec", None)
    if report.when == "call" and report.passed and callspec is not None and "backend" in callspec.params:
        _passed[callspec.params["backend"]] += 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _passed:
        counts = ", ".join(f"{b}: {_passed[b]} passed" for b in BACKENDS)
        terminalreporter.write_line(f"database tests by backend — {counts}")


@pytest.fixture(autouse=True)
def no_id_number_is_logged(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """R10: every log line a test produces (the services' structured logs go through the standard
    library's logging) is scanned for resident ID numbers; one found fails the test."""
    yield
    leaked = support.id_numbers_in(caplog.text)
    assert not leaked, f"ID numbers in the logs: {[n[:6] + '…' for n in leaked]}"


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[support.Databases]:
    dbs = support.Databases(tmp_path_factory.mktemp("db"))
    yield dbs
    dbs.drop_all()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_url(databases: support.Databases, backend: str) -> Callable[[str], str]:
    """``db_url("intake")``: that service's migrated database on this test's backend, emptied."""

    def get(service: str) -> str:
        url = databases.shared_url(backend, service)
        support.reset(url)
        return url

    return get


def make_app(service: str, database_url: str, **overrides: object) -> FastAPI:
    import importlib

    from shared.cli import settings_class

    settings = settings_class(service)(
        env="test", database_url=database_url, consumers_enabled=False, **overrides
    )
    app: FastAPI = importlib.import_module(f"services.{service}.app").create_app(settings)
    return app


@pytest.fixture
def intake(db_url: Callable[[str], str]) -> Iterator[TestClient]:
    with TestClient(
        make_app("intake", db_url("intake"), workers_enabled=False), raise_server_exceptions=False
    ) as client:
        yield client


@pytest.fixture
def matching(db_url: Callable[[str], str]) -> Iterator[TestClient]:
    """matching on this test's backend; its resolver worker off (tests run it themselves)."""
    with TestClient(
        make_app("matching", db_url("matching"), workers_enabled=False), raise_server_exceptions=False
    ) as client:
        yield client


@pytest.fixture
def exchange(db_url: Callable[[str], str]) -> Iterator[TestClient]:
    """exchange on this test's backend."""
    with TestClient(make_app("exchange", db_url("exchange")), raise_server_exceptions=False) as client:
        yield client
