"""Departments publish rosters through exchange to a real matching server: NDJSON or CSV,
streamed; only a client's own sources; every upload recorded with its counts and rejections."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from tests.conftest import make_app
from tests.intake_data import make_id
from tests.integration.test_exchange_clients import ADMIN, bearer, make_client
from tests.matching_data import Served, ndjson, person, persons_of
from tests.support import free_port

EDU = {"code": "edu", "name": "某市教育局", "uscc": "914403001922038216", "division_code": None}


@pytest.fixture
def stack(db_url: Callable[[str], str]) -> Iterator[tuple[TestClient, TestClient]]:
    """exchange in-process, calling a matching served by a real uvicorn."""
    matching_app = make_app("matching", db_url("matching"), workers_enabled=False)
    with TestClient(matching_app) as matching, Served(matching_app) as url:
        exchange_app = make_app("exchange", db_url("exchange"), matching_url=url)
        with TestClient(exchange_app) as exchange:
            yield exchange, matching


def test_a_department_publishes_its_roster_as_ndjson_and_reads_what_became_of_it(
    stack: tuple[TestClient, TestClient],
) -> None:
    exchange, matching = stack
    publisher = bearer(exchange, make_client(exchange))
    records = [
        person("p1", "张三", make_id("19491231"), programme="pension", amount="1500"),
        person("p2", "李四", make_id("19500101"), programme="pension"),
        {"record_id": "p3", "id_number": "12345"},  # no name: rejected, with its line
    ]
    response = exchange.post(
        "/v1/rosters/hrss.pension/snapshot",
        content=ndjson(records),
        headers={**publisher, "Content-Type": "application/x-ndjson"},
    )
    assert response.status_code == 201, response.text
    upload = response.json()
    assert (
        upload["status"],
        upload["format"],
        upload["counts"]["inserted"],
        upload["counts"]["rejected"],
    ) == (
        "done",
        "ndjson",
        2,
        1,
    )
    assert [(r["line"], r["field"]) for r in upload["rejections"]] == [(3, "name")]
    assert {k for k in persons_of(matching) if k[0] == "hrss.pension"} == {
        ("hrss.pension", "p1"),
        ("hrss.pension", "p2"),
    }

    again = exchange.get(f"/v1/rosters/uploads/{upload['id']}", headers=publisher).json()
    assert again["counts"] == upload["counts"] and again["rejections"] == upload["rejections"]

    changes = (
        "op,record_id,name,id_number,programme,attributes.reason\r\n"
        "delete,p2,,,,\r\n"
        "upsert,p4,王五,,pension,retired\r\n"
    )
    response = exchange.post(
        "/v1/rosters/hrss.pension/changes",
        content=changes.encode("gb18030"),
        headers={**publisher, "Content-Type": "text/csv"},
    )
    assert response.status_code == 201, response.text
    counts = response.json()["counts"]
    assert (counts["inserted"], counts["ended"], counts["rejected"]) == (1, 1, 0)


def test_a_client_publishes_only_its_own_sources_and_sees_only_its_departments_uploads(
    stack: tuple[TestClient, TestClient],
) -> None:
    exchange, _ = stack
    hrss = bearer(exchange, make_client(exchange))
    body = {**{"Content-Type": "application/x-ndjson"}}
    other = exchange.post("/v1/rosters/mca.dibao/snapshot", content=b"", headers={**hrss, **body})
    assert other.status_code == 403 and "hrss.pension" in other.json()["detail"]
    reader = bearer(exchange, make_client(exchange, scopes=["lookup"], sources=[]))
    unscoped = exchange.post("/v1/rosters/hrss.pension/snapshot", content=b"", headers={**reader, **body})
    assert unscoped.status_code == 403  # no rosters:publish
    done = exchange.post(
        "/v1/rosters/hrss.pension/snapshot",
        content=ndjson([person("p1", "张三", None)]),
        headers={**hrss, **body},
    )
    assert done.status_code == 201

    assert exchange.post("/v1/admin/departments", json=EDU, headers=ADMIN).status_code == 201
    edu = bearer(exchange, make_client(exchange, department_code="edu", sources=["edu.aid"]))
    assert exchange.get(f"/v1/rosters/uploads/{done.json()['id']}", headers=edu).status_code == 404
    wrong_type = exchange.post(
        "/v1/rosters/hrss.pension/snapshot",
        content=b"{}",
        headers={**hrss, "Content-Type": "application/json"},
    )
    assert wrong_type.status_code == 415


def test_matching_down_is_a_503_and_the_upload_is_recorded_as_failed(db_url: Callable[[str], str]) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"
    with TestClient(make_app("exchange", db_url("exchange"), matching_url=nowhere)) as exchange:
        hrss = bearer(exchange, make_client(exchange))
        response = exchange.post(
            "/v1/rosters/hrss.pension/snapshot",
            content=ndjson([person("p1", "张三", None)]),
            headers={**hrss, "Content-Type": "application/x-ndjson"},
        )
        assert response.status_code == 503
        from sqlalchemy import select

        from services.exchange.adapters.orm import RosterUpload

        with exchange.app.state.db.unit_of_work() as uow:  # type: ignore[attr-defined]
            [upload] = uow.session.scalars(select(RosterUpload)).all()
        assert (upload.status, upload.source) == ("failed", "hrss.pension")
        assert upload.failure and upload.failure.startswith("matching unreachable")
