"""S3: a department paging through 1 M feed events with its cursor, and the bulk NDJSON export.

Fills a fresh exchange database on PostgreSQL with N enrolment events (numbered, as exchange's
consumer of matching's feed leaves them), starts ``snx serve exchange`` on it, registers a
department whose client may read every programme, and measures, over HTTP on loopback:

- paging: ``GET /v1/feeds/enrolments?after=…&limit=1000`` from 0 to the head, every event read
  once (events/s);
- export: ``GET /v1/feeds/enrolments/export`` streamed to the end (records/s), with the server's
  resident memory sampled while it streams (flat memory: rows are read a thousand at a time).

The client's rate limit is raised for the run (a department's limit is a policy, not a speed).

    .venv/bin/python bench/feeds.py --events 1000000 --runs 3
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import orjson
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import PG, fresh_database, header, start, stop
from bench.roster_ingest import rss_mb
from shared.auth import mint_token
from shared.codes.uscc import check_character
from shared.settings import DEV_JWT_SECRET, audience_for
from tests.support import free_port

PROGRAMMES = ("dibao_urban", "dibao_rural", "tekun_home", "linshi_urgent", "disability_care_subsidy")


def fill(url: str, events: int) -> None:
    """N numbered enrolment events in exchange's outbox (COPY: a million rows in seconds)."""
    engine = create_engine(url)
    now = datetime.now(UTC).isoformat()
    with engine.begin() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        with raw.cursor().copy("COPY outbox_event (id, seq, type, subject, time, data) FROM STDIN") as copy:
            for k in range(1, events + 1):
                data = {
                    "change": "started" if k % 7 else "stopped",
                    "person_id": f"P{k:020X}",
                    "source": "mca.dibao",
                    "record_id": f"r{k}",
                    "programme": PROGRAMMES[k % len(PROGRAMMES)],
                    "status": "active",
                    "start_date": "2025-01-01",
                    "end_date": None,
                    "amount": "820",
                    "division_code": f"330106{k % 9:03d}001",
                }
                copy.write_row(
                    (
                        str(uuid.uuid4()),
                        k,
                        "cn.snx.exchange.enrolment.started",
                        None,
                        now,
                        orjson.dumps(data).decode(),
                    )
                )
        conn.execute(text("ANALYZE outbox_event"))
    engine.dispose()


def department(base: str) -> dict[str, str]:
    admin = {
        "Authorization": "Bearer "
        + mint_token(
            DEV_JWT_SECRET, subject="bench", audience=audience_for("exchange"), scopes=["exchange:admin"]
        )
    }
    first17 = "11330106000000001"
    body = {
        "code": "mca",
        "name": "民政局",
        "uscc": first17 + check_character(first17),
        "division_code": None,
    }
    httpx.post(f"{base}/v1/admin/departments", json=body, headers=admin).raise_for_status()
    client = {
        "department_code": "mca",
        "name": "bench",
        "scopes": ["feeds:enrolments", "programme:*"],
        "sources": [],
    }
    made = httpx.post(f"{base}/v1/admin/clients", json=client, headers=admin).json()
    grant = httpx.post(
        f"{base}/oauth/token",
        content="grant_type=client_credentials",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        auth=(made["client_id"], made["client_secret"]),
    )
    grant.raise_for_status()
    return {"Authorization": f"Bearer {grant.json()['access_token']}"}


def page_through(http: httpx.Client, base: str, who: dict[str, str], limit: int) -> tuple[int, float]:
    after, count, started = 0, 0, time.perf_counter()
    while True:
        page = http.get(
            f"{base}/v1/feeds/enrolments", params={"after": after, "limit": limit}, headers=who
        ).json()
        events = page["events"]
        if events and events[0]["prevseq"] != after:
            raise AssertionError(f"a gap after {after}")
        count += len(events)
        after = page["next_after"]
        if not page["has_more"]:
            return count, time.perf_counter() - started


def export(http: httpx.Client, base: str, who: dict[str, str], server_pid: int) -> tuple[int, float, float]:
    peak, stop_sampling = 0.0, threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop_sampling.is_set():
            peak = max(peak, rss_mb(server_pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    count, started = 0, time.perf_counter()
    with http.stream("GET", f"{base}/v1/feeds/enrolments/export", headers=who) as response:
        for line in response.iter_lines():
            if line:
                count += 1
    seconds = time.perf_counter() - started
    stop_sampling.set()
    sampler.join()
    return count, seconds, peak


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--limit", type=int, default=1000, help="events per page")
    ap.add_argument("--database-url", default=PG + "snx_bench_feeds")
    args = ap.parse_args()
    header(
        "S3 — feeds: paging with a cursor, bulk NDJSON export",
        data=f"{args.events:,} enrolment events, one department reading every programme",
        server="snx serve exchange (1 process), PostgreSQL, loopback",
        page=f"{args.limit} events",
    )
    url = fresh_database(args.database_url, "exchange")
    began = time.perf_counter()
    fill(url, args.events)
    print(f"filled in {time.perf_counter() - began:.0f} s")
    port = free_port()
    env = {
        "EXCHANGE_DATABASE_URL": url,
        "EXCHANGE_PORT": str(port),
        "EXCHANGE_ENV": "test",
        "EXCHANGE_CONSUMERS_ENABLED": "false",
        "EXCHANGE_LOG_LEVEL": "WARNING",
        "EXCHANGE_RATE_PER_MINUTE": "1000000",
        "EXCHANGE_RATE_BURST": "100000",
    }
    base = f"http://127.0.0.1:{port}"
    proc = start(
        ["-m", "shared.cli", "serve", "exchange"], env, f"{base}/readyz", Path("/tmp/snx_bench_feeds.log")
    )
    try:
        who = department(base)
        pages, exports = [], []
        with httpx.Client(timeout=600) as http:
            for run in range(args.runs):
                count, seconds = page_through(http, base, who, args.limit)
                assert count == args.events, count
                pages.append(count / seconds)
                rate = count / seconds
                print(f"run {run + 1}: paging {count:,} events in {seconds:.1f} s = {rate:,.0f} events/s")
                count, seconds, peak = export(http, base, who, proc.pid)
                assert count == args.events, count
                exports.append(count / seconds)
                rate = count / seconds
                print(
                    f"run {run + 1}: export {count:,} records in {seconds:.1f} s = {rate:,.0f} records/s, ",
                    end="",
                )
                print(f"server RSS peak {peak:,.0f} MB")
        print(
            f"median: paging {statistics.median(pages):,.0f} events/s (bar 20,000); export "
            f"{statistics.median(exports):,.0f} records/s (bar 50,000)"
        )
    finally:
        stop(proc)


if __name__ == "__main__":
    main()
