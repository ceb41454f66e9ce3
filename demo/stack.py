"""The three services for the demo: real processes on free loopback ports, each on its own
embedded SQLite file in a fresh folder, migrated first; stopped (and their logs kept) at the end."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import httpx

from shared.services import SERVICES


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Stack:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.ports = {s: _free_port() for s in SERVICES}
        self.urls = {s: f"http://127.0.0.1:{p}" for s, p in self.ports.items()}
        self.env = dict(os.environ)
        for s in SERVICES:
            prefix = s.upper()
            self.env[f"{prefix}_DATABASE_URL"] = f"sqlite:///{(folder / f'{s}.db').resolve()}"
            self.env[f"{prefix}_PORT"] = str(self.ports[s])
            self.env[f"{prefix}_ENV"] = "dev"
            self.env[f"{prefix}_LOG_LEVEL"] = "WARNING"
            self.env[f"{prefix}_CONSUMER_POLL_SECONDS"] = "0.3"
            for peer in SERVICES:
                self.env[f"{prefix}_{peer.upper()}_URL"] = self.urls[peer]
        self.env["MATCHING_RESOLVER_INTERVAL_SECONDS"] = "0.5"
        self.env["MATCHING_INDEX_REFRESH_SECONDS"] = "0.5"
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def __enter__(self) -> Stack:
        self.folder.mkdir(parents=True, exist_ok=True)
        migrate = [sys.executable, "-m", "shared.cli", "migrate"]
        subprocess.run(
            migrate, env=self.env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        for s in SERVICES:
            with (self.folder / f"{s}.log").open("wb") as log:
                self.procs[s] = subprocess.Popen(
                    [sys.executable, "-m", "shared.cli", "serve", s], env=self.env, stdout=log, stderr=log
                )
        for s in SERVICES:
            self._wait_ready(s)
        return self

    def _wait_ready(self, service: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.procs[service].poll() is not None:
                raise RuntimeError(f"{service} exited; see {self.folder / f'{service}.log'}")
            try:
                if httpx.get(f"{self.urls[service]}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{service} did not become ready")

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
