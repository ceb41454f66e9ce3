"""Real uvicorn processes on free loopback ports."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from shared.services import SERVICES
from tests.support import Databases, free_port, id_numbers_in


@dataclass
class Stack:
    urls: dict[str, str]
    database_urls: dict[str, str]
    logs: dict[str, Path]
    procs: dict[str, subprocess.Popen[bytes]]
    env: dict[str, str]

    def start(self, service: str) -> None:
        """Start (or start again, after a kill) one service's process, and wait until it is ready."""
        with self.logs[service].open("ab") as out:
            self.procs[service] = subprocess.Popen(
                [sys.executable, "-m", "shared.cli", "serve", service],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait_ready(self.urls[service], self.procs[service])

    def kill(self, service: str) -> None:
        """``kill -9``: no shutdown, no flush."""
        self.procs[service].kill()
        self.procs[service].wait(timeout=15)


def wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"{url} exited with {proc.returncode}"
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url}/readyz never answered 200")


def stop(procs: dict[str, subprocess.Popen[bytes]]) -> None:
    for proc in procs.values():
        if proc.poll() is None:
            proc.terminate()
    for proc in procs.values():
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture
def stack(databases: Databases, backend: str, tmp_path: Path) -> Iterator[Stack]:
    ports = {s: free_port() for s in SERVICES}
    env = dict(os.environ)
    database_urls = {s: databases.fresh_url(backend, s) for s in SERVICES}
    for s in SERVICES:
        prefix = s.upper()
        env[f"{prefix}_DATABASE_URL"] = database_urls[s]
        env[f"{prefix}_PORT"] = str(ports[s])
        env[f"{prefix}_ENV"] = "test"
        env[f"{prefix}_LOG_FORMAT"] = "json"
        env[f"{prefix}_LOG_LEVEL"] = "DEBUG"
        env[f"{prefix}_CONSUMER_POLL_SECONDS"] = "0.2"
        for peer in SERVICES:
            env[f"{prefix}_{peer.upper()}_URL"] = f"http://127.0.0.1:{ports[peer]}"
    logs = {s: tmp_path / f"{s}.log" for s in SERVICES}
    procs = {}
    for s in SERVICES:
        with logs[s].open("wb") as out:
            procs[s] = subprocess.Popen(
                [sys.executable, "-m", "shared.cli", "serve", s],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
    urls = {s: f"http://127.0.0.1:{ports[s]}" for s in SERVICES}
    try:
        for s in SERVICES:
            wait_ready(urls[s], procs[s])
        yield Stack(urls, database_urls, logs, procs, env)
    finally:
        stop(procs)
    for s, path in logs.items():  # R10: the real processes' logs too
        leaked = id_numbers_in(path.read_text(errors="replace"))
        assert not leaked, f"ID numbers in {s}'s log: {[n[:6] + '…' for n in leaked]}"
