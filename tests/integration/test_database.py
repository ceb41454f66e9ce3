"""Databases: SQLite settings, migrations that match the models, one commit before the response,
and readiness that knows when migrations are behind."""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from fastapi import APIRouter
from fastapi.testclient import TestClient
from sqlalchemy import func, inspect, select

from services.intake.config import IntakeSettings
from shared.db import Database
from shared.events.models import EventsBase, OutboxEvent
from shared.migrations import at_head, downgrade, upgrade, version_table
from shared.services import SERVICES
from shared.web.app import create_service_app
from shared.web.deps import SessionDep
from tests.support import Databases

SERVICE_METADATA = {
    "intake": ("services.intake.adapters.orm", "IntakeBase"),
    "matching": ("services.matching.adapters.orm", "MatchingBase"),
    "exchange": ("services.exchange.adapters.orm", "ExchangeBase"),
}


def metadata_of(service: str) -> list:  # type: ignore[type-arg]
    result = [EventsBase.metadata]
    if service in SERVICE_METADATA:
        module, name = SERVICE_METADATA[service]
        result.append(getattr(importlib.import_module(module), name).metadata)
    return result


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path}/x.db")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    db.dispose()


@pytest.mark.parametrize("service", SERVICES)
def test_migrations_match_the_models_and_go_down_and_up(
    databases: Databases, backend: str, service: str
) -> None:
    url = databases.fresh_url(backend, service)
    db = Database(url)
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"version_table": version_table(service)})
        diff = [d for d in compare_metadata(ctx, metadata_of(service)) if "alembic_version" not in str(d)]
    assert diff == [], f"{service}: models and migrations disagree: {diff}"
    assert at_head(service, db.engine)
    assert version_table(service) in inspect(db.engine).get_table_names()
    downgrade(service, url, "base")
    assert not at_head(service, db.engine)
    assert "outbox_event" not in inspect(db.engine).get_table_names()
    upgrade(service, url)
    assert at_head(service, db.engine)
    db.dispose()


broken = APIRouter()


@broken.post("/test/duplicate-event")
def duplicate_event(session: SessionDep) -> dict[str, str]:
    """Adds two events with one id: the unique constraint fails at commit, after this returns."""
    for _ in range(2):
        session.add(OutboxEvent(id="same-id", type="t", time=func.now(), data={}))
    return {"status": "accepted"}


def test_a_failed_commit_is_an_error_response_never_an_acknowledgement(db_url: Callable[[str], str]) -> None:
    url = db_url("intake")
    settings = IntakeSettings(env="test", database_url=url, consumers_enabled=False)
    app = create_service_app(settings, title="t", description="t", routers=[broken])
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.post("/test/duplicate-event", headers={"Accept-Language": "zh"})
        assert response.status_code == 409, response.text
        assert response.json()["code"] == "conflict"
        assert "same-id" not in response.text
        with app.state.db.unit_of_work() as uow:
            assert uow.session.scalar(select(func.count()).select_from(OutboxEvent)) == 0


def test_readyz_is_503_until_migrated(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/fresh.db"
    app = importlib.import_module("services.matching.app").create_app(
        importlib.import_module("services.matching.config").MatchingSettings(
            env="test", database_url=url, consumers_enabled=False
        )
    )
    with TestClient(app) as client:
        assert client.get("/healthz").json() == {"status": "ok", "service": "matching"}
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["checks"] == {"database": "ok", "migrations": "behind"}
        upgrade("matching", url)
        deadline = time.monotonic() + 20  # the index worker loads the (empty) index once it can
        while (response := client.get("/readyz")).status_code != 200 and time.monotonic() < deadline:
            assert response.json()["checks"]["person_index"] == "loading"
            time.sleep(0.1)
        assert response.status_code == 200


def test_matching_is_not_ready_until_its_person_index_is_loaded(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/fresh.db"
    upgrade("matching", url)
    settings = importlib.import_module("services.matching.config").MatchingSettings(
        env="test", database_url=url, consumers_enabled=False
    )
    app = importlib.import_module("services.matching.app").create_app(settings)
    client = TestClient(app)  # no lifespan: no index worker loads it
    response = client.get("/readyz", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "migrations": "head", "person_index": "loading"}
    assert response.json()["detail"] == "人员索引正在加载。"
    app.state.index.refresh()  # what the worker does first
    assert client.get("/readyz").status_code == 200


def test_readyz_is_503_when_the_database_is_unreachable() -> None:
    settings = IntakeSettings(
        env="test",
        database_url="postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1",
        consumers_enabled=False,
    )
    app = importlib.import_module("services.intake.app").create_app(settings)
    with TestClient(app) as client:
        response = client.get("/readyz", headers={"Accept-Language": "zh-CN"})
        assert response.status_code == 503
        assert response.json()["detail"] == "无法连接数据库。"
