"""What the benchmarks share: the machine line, fresh databases, service processes, data."""

from __future__ import annotations

import os
import platform
import random
import shlex
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine

from shared.codes.idnumber import check_character
from shared.db import normalize_url
from shared.migrations import upgrade

ROOT = Path(__file__).resolve().parent.parent
PG = "postgresql+psycopg://postgres@127.0.0.1:5432/"


def machine() -> str:
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        platform.processor(),
    )
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}"


def cpu_times() -> list[int]:
    """The machine's CPU time counters (/proc/stat): user, nice, system, idle, iowait, irq,
    softirq, steal."""
    return [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]


def steal_share(before: list[int], after: list[int]) -> float:
    """The share of CPU time the hypervisor gave to other guests between two readings: on a
    shared virtual machine, a run with steal is not a clean measurement."""
    spent = [b - a for a, b in zip(before, after, strict=True)]
    return spent[7] / max(1, sum(spent))


def header(title: str, **facts: Any) -> None:
    print(f"# {title}")
    print(f"command: {shlex.join([sys.executable.rsplit('/', 1)[-1], *sys.argv])}")
    print(f"machine: {machine()}")
    for k, v in facts.items():
        print(f"{k}: {v}")


def fresh_database(url: str, service: str = "intake") -> str:
    """Drop and recreate a PostgreSQL database (or delete a SQLite file), then migrate ``service``."""
    u = normalize_url(url)
    if u.get_backend_name() == "postgresql":
        admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)')
        admin.dispose()
    elif u.database:
        for suffix in ("", "-wal", "-shm"):
            Path(u.database + suffix).unlink(missing_ok=True)
    upgrade(service, url)
    return url


def start(
    args: list[str],
    env: dict[str, str],
    ready_url: str,
    log: Path,
    ready_status: int | None = 200,
    wait: float = 60,
) -> subprocess.Popen[bytes]:
    """Start a process and wait until ``ready_url`` answers (with ``ready_status``; None: anything)."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, *args],
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            start_new_session=True,  # its own process group: ``stop`` ends its worker processes too
        )
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{args} exited: see {log}")
        try:
            status = httpx.get(ready_url, timeout=1).status_code
            if ready_status is None or status == ready_status:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    stop(proc)
    raise RuntimeError(f"{args} never became ready")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """End a process started by ``start`` and every process it started (server workers)."""
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            os.killpg(proc.pid, signal.SIGKILL)  # a worker that outlived its parent
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue
        return


class People:
    """Valid, distinct ID numbers and names for synthetic households."""

    SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"

    def __init__(self, seed: int = 7, area: str = "110105") -> None:
        self.rng = random.Random(seed)
        self.area = area
        self.n = 0

    def person(self, born: date, male: bool) -> tuple[str, str]:
        self.n += 1
        seq = (self.n % 499) * 2 + (1 if male else 0)
        first17 = f"{self.area}{born:%Y%m%d}{seq:03d}"
        name = self.rng.choice(self.SURNAMES) + "".join(
            self.rng.choices(self.GIVEN, k=self.rng.choice((1, 2)))
        )
        return first17 + check_character(first17), name

    def birth(self, low: int, high: int) -> date:
        return date(1940, 1, 1) + timedelta(days=self.rng.randrange(low * 365, high * 365) + self.n % 97)
