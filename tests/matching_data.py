"""Standard person records for matching tests, and helpers to send and resolve them."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi.testclient import TestClient

from services.matching.service.identity import resolve_pending
from shared.contracts.rosters import NDJSON, SCOPE_ROSTERS
from tests.support import auth

ROSTERS = auth("matching", SCOPE_ROSTERS, subject="svc:exchange")


def person(
    record_id: str, name: str, id_number: str | None, born: str | None = None, **more: Any
) -> dict[str, Any]:
    out = {"record_id": record_id, "name": name, "id_number": id_number, "birth_date": born}
    return {**out, **more}


def ndjson(records: list[Any]) -> bytes:
    return b"".join(orjson.dumps(r) + b"\n" for r in records)


def send(client: TestClient, source: str, records: list[Any], mode: str = "snapshot") -> dict[str, Any]:
    response = client.post(
        f"/internal/rosters/{source}/{mode}",
        content=ndjson(records),
        headers={**ROSTERS, "Content-Type": NDJSON},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def resolve(client: TestClient) -> int:
    """Run the resolver until nothing is pending."""
    app: Any = client.app
    total = 0
    while done := resolve_pending(app.state.db, app.state.index):
        total += done
    return total


def persons_of(client: TestClient) -> dict[tuple[str, str], str]:
    from sqlalchemy import select

    from services.matching.adapters.orm import Record

    app: Any = client.app
    with app.state.db.unit_of_work() as uow:
        rows = uow.session.execute(select(Record.source, Record.record_id, Record.person_id))
        return {(s, r): p for s, r, p in rows}


class Served:
    """An app served by a real uvicorn on a free loopback port, in a thread: ``with Served(app) as url``."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        from tests.support import free_port

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_config=None, access_log=False)
        self.server = uvicorn.Server(config)

    def __enter__(self) -> str:
        import threading
        import time

        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.01)
        return self.url

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
