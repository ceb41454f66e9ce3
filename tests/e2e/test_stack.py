"""The three services as real processes: ready, talking, and carrying an event across."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from services.matching.config import MatchingSettings
from shared.http import service_client
from shared.logs import request_id_var
from shared.services import SERVICES
from tests.e2e.conftest import Stack, stop, wait_ready
from tests.support import auth, free_port

ID_IN_CLEAR = re.compile(r"\d{17}[\dXx]")


def test_an_intake_event_reaches_the_matching_consumer(stack: Stack) -> None:
    for service, url in stack.urls.items():
        ready = httpx.get(f"{url}/readyz").json()
        assert ready == {
            "status": "ready",
            "service": service,
            "checks": {"database": "ok", "migrations": "head"},
        }

    response = httpx.post(
        f"{stack.urls['intake']}/v1/households",
        json={"division_code": "110105001", "area_type": "urban", "address": "户主 11010519491231002X 家"},
        headers={**auth("intake", "intake:write"), "X-Request-ID": "e2e-household-1"},
    )
    assert response.status_code == 201, response.text
    assert response.headers["x-request-id"] == "e2e-household-1"
    household_id = response.json()["id"]

    feed = httpx.get(f"{stack.urls['intake']}/internal/events", headers=auth("intake", "events:read")).json()
    [event] = feed["events"]
    assert event["data"]["household_id"] == household_id

    deadline = time.monotonic() + 20
    cursors: list[dict[str, object]] = []
    while time.monotonic() < deadline:
        cursors = httpx.get(
            f"{stack.urls['matching']}/internal/consumers", headers=auth("matching", "events:read")
        ).json()
        if cursors and cursors[0]["position"] == event["seq"]:
            break
        time.sleep(0.1)
    assert cursors == [
        {**cursors[0], "feed": "intake", "position": event["seq"], "applied_count": 1, "error_count": 0}
    ]

    # The request id of a call is forwarded on calls between services.
    settings = MatchingSettings(env="test", intake_url=stack.urls["intake"])
    token = request_id_var.set("e2e-forwarded-42")
    try:
        with service_client(settings, "intake", ["events:read"]) as client:
            forwarded = client.get("/internal/events")
    finally:
        request_id_var.reset(token)
    assert forwarded.status_code == 200
    assert forwarded.headers["x-request-id"] == "e2e-forwarded-42"

    stop(stack.procs)
    intake_log = stack.logs["intake"].read_text()
    lines = [json.loads(line) for line in intake_log.splitlines() if line.startswith("{")]
    assert any(line.get("request_id") == "e2e-household-1" for line in lines)
    for log in stack.logs.values():
        assert not ID_IN_CLEAR.search(log.read_text())


def test_snx_run_starts_all_three_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    ports = [free_port() for _ in SERVICES]
    env = {k: v for k, v in os.environ.items() if not k.endswith("_DATABASE_URL")}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "shared.cli",
            "run",
            "--ports",
            *map(str, ports),
            "--var-dir",
            str(tmp_path / "var"),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        for port in ports:
            wait_ready(f"http://127.0.0.1:{port}", proc)
        token = proc.stdout.readline().decode().strip()  # type: ignore[union-attr]
        for service, port in zip(SERVICES, ports, strict=True):
            ok = httpx.get(
                f"http://127.0.0.1:{port}/internal/events", headers={"Authorization": f"Bearer {token}"}
            )
            assert ok.status_code == 200, (service, ok.text)
        assert sorted(p.name for p in (tmp_path / "var").iterdir() if p.suffix == ".db") == [
            "exchange.db",
            "intake.db",
            "matching.db",
        ]
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
        err = proc.stderr.read().decode()  # type: ignore[union-attr]
        assert "/docs" in err and "snx: stopped" in err
        for port in ports:
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                raise AssertionError(f"port {port} still answers after Ctrl-C")
            except httpx.ConnectError:
                pass
    finally:
        if proc.poll() is None:
            proc.kill()
