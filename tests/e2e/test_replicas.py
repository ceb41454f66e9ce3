"""Two processes each of matching and exchange against one PostgreSQL: consumers and workers never
apply an event twice nor skip one (inbox rows and cursors in the effect's transaction, rows
claimed with SKIP LOCKED, conditional updates that publish a change once)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import create_engine, text

from shared.contracts.rosters import NDJSON, SCOPE_ROSTERS
from tests.e2e.conftest import Stack, wait_ready
from tests.intake_data import TOWNSHIP, application, make_id
from tests.matching_data import ndjson, person
from tests.support import auth, free_port

STAFF = auth("intake", "intake:read", "intake:write", division=TOWNSHIP)
ROSTERS = {**auth("matching", SCOPE_ROSTERS), "Content-Type": NDJSON}
STARTED = "SELECT count(*) FROM outbox_event WHERE type = 'cn.snx.{}.enrolment.started'"


def replica(stack: Stack, service: str) -> subprocess.Popen[bytes]:
    """A second process of ``service`` on its own port, on the same database."""
    port = free_port()
    env = {**stack.env, f"{service.upper()}_PORT": str(port)}
    with stack.logs[service].open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "shared.cli", "serve", service],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    wait_ready(f"http://127.0.0.1:{port}", proc)
    return proc


def scalar(url: str, sql: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(sql)).scalar() or 0)
    finally:
        engine.dispose()


def until(check: Callable[[], bool], timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "the replicas did not catch up"
        time.sleep(0.5)


def test_two_replicas_each_apply_every_event_once(stack: Stack, backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("replicas share one PostgreSQL")
    extra = [replica(stack, "matching"), replica(stack, "exchange")]
    try:

        def submit(k: int) -> int:
            member = {"name": "赵德明", "id_number": make_id("19500101"), "relationship": "02"}
            headers = {**STAFF, "Idempotency-Key": f"replica-{k}"}
            url = f"{stack.urls['intake']}/v1/applications"
            return httpx.post(
                url, json=application(members=[member]), headers=headers, timeout=60
            ).status_code

        with ThreadPoolExecutor(max_workers=8) as pool:
            assert set(pool.map(submit, range(120))) == {201}
        records = [
            person(
                f"d{k}",
                "钱" + "明伟芳娜敏静丽强"[k % 8] + "华",
                make_id(f"19{40 + k % 50}0202"),
                programme="dibao",
            )
            for k in range(300)
        ]
        url = f"{stack.urls['matching']}/internal/rosters/mca.dibao/snapshot"
        answer = httpx.post(url, content=ndjson(records), headers=ROSTERS, timeout=120)
        assert answer.status_code == 201, answer.text

        intake_db = stack.database_urls["intake"]
        matching_db, exchange_db = stack.database_urls["matching"], stack.database_urls["exchange"]
        taken = "SELECT count(*) FROM inbox_event WHERE feed = '{}'"
        until(
            lambda: (
                scalar(matching_db, taken.format("intake"))
                == scalar(intake_db, "SELECT count(*) FROM outbox_event")
            )
        )
        until(lambda: scalar(matching_db, "SELECT count(*) FROM mt_record WHERE pending") == 0)
        until(lambda: scalar(exchange_db, STARTED.format("exchange")) >= 300)
        numbered = "SELECT count(*) FROM outbox_event WHERE seq IS NOT NULL"
        until(
            lambda: scalar(exchange_db, taken.format("matching")) == scalar(matching_db, numbered)
        )  # none skipped
        time.sleep(3)  # both replicas have polled and checked again meanwhile: nothing more may appear
        assert scalar(matching_db, "SELECT count(*) FROM mt_record WHERE source = 'intake'") == 120
        assert scalar(matching_db, STARTED.format("matching")) == 300  # each change published once
        assert scalar(exchange_db, STARTED.format("exchange")) == 300  # and re-published once
    finally:
        for proc in extra:
            proc.terminate()
        for proc in extra:
            proc.wait(timeout=15)
