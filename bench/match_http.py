"""M4 over HTTP: ``POST /v1/checks`` at a fixed rate against the matching service with 1 M persons.

Loads the generated population (``bench/population.py``, ~1.4 M records in several departments'
rosters) into a fresh matching database through the roster API, resolves who is who with one full
run (the path a first roster takes), starts ``snx serve matching`` and lets it load its index, then
offers checks at ``--rate`` per second from ``bench/loadgen.py`` (open loop: latency counts from
each request's due time). Each check is one person, as typed in one of the rosters (dirty IDs,
variant names …), with a programme, so the duplicate rules run too.

    .venv/bin/python bench/match_http.py --persons 1000000 --rate 200 --seconds 20 --runs 3
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import BinaryIO

import httpx
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import loadgen
from bench.common import PG, cpu_times, fresh_database, header, start, steal_share, stop
from bench.linkage import population
from bench.roster_ingest import matching_env, pieces, rss_mb
from services.matching.engine.model import FellegiSunter
from services.matching.service.identity import rerun
from services.matching.service.person_index import IdentityIndex
from shared.contracts.rosters import NDJSON, SCOPE_ROSTERS
from shared.db import Database
from tests.support import free_port, token


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its children (the server's worker processes)."""
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        try:
            total += rss_mb(p)
            todo += [int(c) for c in Path(f"/proc/{p}/task/{p}/children").read_text().split()]
        except OSError:
            pass
    return total


def split_by_source(records: Path, folder: Path) -> list[Path]:
    """One NDJSON file per source (a department's roster), written once."""
    done = folder / "by-source.done"
    if not done.exists():
        files: dict[str, BinaryIO] = {}
        with records.open("rb") as f:
            for line in f:
                source = orjson.loads(line)["source"]
                if source not in files:
                    files[source] = (folder / f"roster.{source}.ndjson").open("wb")
                files[source].write(line)
        for out in files.values():
            out.close()
        done.touch()
    return sorted(folder.glob("roster.*.ndjson"))


def queries(records: Path, n: int) -> list[bytes]:
    """``n`` records spread over the file, as the members of check requests."""
    lines = records.read_bytes().splitlines()
    step = max(1, len(lines) // n)
    out = []
    for line in lines[::step][:n]:
        r = orjson.loads(line)
        member = {k: r.get(k) for k in ("name", "id_number", "birth_date", "sex")}
        out.append(
            orjson.dumps({"members": [member], "programme": "dibao_urban", "division_code": "110105001"})
        )
    return out


def request_bytes(port: int, bodies: list[bytes]) -> list[bytes]:
    auth = f"Bearer {token('matching', 'matching:check')}"
    return [
        (
            f"POST /v1/checks HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: {auth}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(b)}\r\n\r\n"
        ).encode()
        + b
        for b in bodies
    ]


def all_ready(base: str, in_a_row: int = 30) -> None:
    """Wait until ``/readyz`` answers 200 on ``in_a_row`` new connections in a row: each server
    process answers for itself, and is ready once its person index is loaded."""
    ok = 0
    while ok < in_a_row:
        try:
            ok = ok + 1 if httpx.get(f"{base}/readyz", timeout=5).status_code == 200 else 0
        except httpx.HTTPError:
            ok = 0
        time.sleep(0.05 if ok else 0.5)


def load_population(base: str, url: str, records: Path, folder: Path) -> None:
    """Every department's roster through the roster API, then who is who in one full run."""
    began = time.perf_counter()
    rosters = {"Authorization": f"Bearer {token('matching', SCOPE_ROSTERS)}", "Content-Type": NDJSON}
    for path in split_by_source(records, folder):
        source = path.name.removeprefix("roster.").removesuffix(".ndjson")
        response = httpx.post(
            f"{base}/internal/rosters/{source}/snapshot", content=pieces(path), headers=rosters, timeout=3600
        )
        response.raise_for_status()
    print(f"rosters in: {time.perf_counter() - began:.0f} s through the roster API")
    began = time.perf_counter()
    db = Database(url)
    summary = rerun(db, IdentityIndex(db, FellegiSunter.load()))
    if db.dialect == "postgresql":  # what autovacuum does soon after a bulk load, done at once
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE mt_record")
    db.dispose()
    print(
        f"who is who (one full run): {time.perf_counter() - began:.0f} s; "
        f"{summary.records:,} records → {summary.persons:,} persons"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--rate", type=float, default=200)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--database-url", default=PG + "snx_bench_match_http")
    ap.add_argument("--workers", type=int, default=2, help="server processes (each holds its own index)")
    ap.add_argument("--reuse", action="store_true", help="keep the database a previous run loaded")
    args = ap.parse_args()

    folder = population(args.persons, args.seed)
    records = folder / "records.ndjson"
    header(
        "M4 over HTTP — POST /v1/checks against the matching service",
        data=f"{args.persons:,} persons, {sum(1 for _ in records.open('rb')):,} records",
        load=f"{args.rate:g} requests/s for {args.seconds:g} s, {args.runs} runs, open loop",
        server=f"snx serve matching --workers {args.workers} (each process holds the index)",
        database=args.database_url.split("@")[-1],
    )
    url = args.database_url if args.reuse else fresh_database(args.database_url, "matching")
    port = free_port()
    env = {**matching_env(url, port), "MATCHING_DB_POOL_SIZE": "4"}
    base = f"http://127.0.0.1:{port}"
    log = Path("/tmp/snx_bench_match_http.log")
    serve = ["-m", "shared.cli", "serve", "matching", "--workers", str(args.workers)]
    if not args.reuse:  # loaded by one server; the measured one starts on the loaded database
        loader = start(serve, env, f"{base}/readyz", log)
        try:
            load_population(base, url, records, folder)
        finally:
            stop(loader)
    began = time.perf_counter()
    proc = start(serve, env, f"{base}/healthz", log)
    try:
        all_ready(base)
        print(
            f"every server process ready (index loaded) after {time.perf_counter() - began:.0f} s; "
            f"server RSS {tree_rss_mb(proc.pid):,.0f} MB"
        )
        bodies = queries(records, 8000)
        checker = {
            "Authorization": f"Bearer {token('matching', 'matching:check')}",
            "Content-Type": "application/json",
        }
        httpx.post(f"{base}/v1/checks", content=bodies[0], timeout=60, headers=checker).raise_for_status()
        requests = request_bytes(port, bodies)

        def load(offset: int, seconds: float) -> loadgen.Result:
            def make(i: int) -> bytes:
                return requests[(i + offset) % len(requests)]

            return asyncio.run(loadgen.run("127.0.0.1", port, make, args.rate, seconds, 16))

        asyncio.run(
            loadgen.run("127.0.0.1", port, lambda i: requests[i % len(requests)], 50, 10, 16)
        )  # warm-up
        results = []
        for run in range(args.runs):
            before = cpu_times()
            result = load(1000 * (run + 1), args.seconds)
            s = result.summary()
            results.append(s)
            print(
                f"run {run + 1}: {s['throughput']:.0f}/s achieved, p50 {s['p50']:.1f} ms, "
                f"p95 {s['p95']:.1f}, p99 {s['p99']:.1f}, max {s['max']:.0f}; errors {s['errors']:.0f}; "
                f"CPU stolen by the host {steal_share(before, cpu_times()):.1%}"
            )
        p50, p95, p99 = (statistics.median(r[k] for r in results) for k in ("p50", "p95", "p99"))
        print(
            f"\n**p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms** (median of {args.runs} runs) "
            f"at {args.rate:g}/s; server RSS {tree_rss_mb(proc.pid):,.0f} MB"
        )
    finally:
        stop(proc)


if __name__ == "__main__":
    main()
