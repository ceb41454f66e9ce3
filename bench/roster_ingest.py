"""A 1 M-record roster snapshot into the matching service, streamed, with the server's memory watched.

Takes the first N records of the generated population (``bench/population.py``) as one source's
roster, starts ``snx serve matching`` on a fresh database (resolver off: this measures the ingest),
and uploads the file to ``POST /internal/rosters/{source}/snapshot`` as a streamed body in 1 MB
pieces. The server's resident memory is sampled every 0.5 s from /proc. Then the same snapshot is
sent again (it must change nothing), and a snapshot lacking 1 % of the records (they must end).

    .venv/bin/python bench/roster_ingest.py --records 1000000
    .venv/bin/python bench/roster_ingest.py --records 1000000 --database-url sqlite:////tmp/snx_bench_match.db
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import PG, ROOT, fresh_database, header, start, stop
from bench.linkage import population
from shared.contracts.rosters import NDJSON, SCOPE_ROSTERS
from tests.support import free_port, token

SOURCE = "bench.roster"


def roster_file(records: int, seed: int, drop_every: int = 0) -> Path:
    """One source's roster of ``records`` lines (every ``drop_every``-th left out, when given)."""
    folder = population(1_000_000, seed)  # 1,398,669 records: enough for any roster up to that
    out = folder / f"roster-{records}-{drop_every}.ndjson"
    if not out.exists():
        with (folder / "records.ndjson").open("rb") as src, out.open("wb") as dst:
            for n, line in enumerate(src):
                if n >= records:
                    break
                if drop_every and n % drop_every == 0:
                    continue
                r = orjson.loads(line)
                r["record_id"] = f"{r.pop('source')}:{r['record_id']}"
                dst.write(orjson.dumps(r) + b"\n")
    return out


def matching_env(url: str, port: int) -> dict[str, str]:
    """``snx serve matching`` for a benchmark: its database and port, no resolver, no consumers."""
    return {
        "MATCHING_DATABASE_URL": url,
        "MATCHING_PORT": str(port),
        "MATCHING_ENV": "test",
        "MATCHING_WORKERS_ENABLED": "false",
        "MATCHING_CONSUMERS_ENABLED": "false",
        "MATCHING_LOG_LEVEL": "WARNING",
    }


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Sampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.done = pid, threading.Event()
        self.samples: list[float] = []

    def run(self) -> None:
        while not self.done.is_set():
            self.samples.append(rss_mb(self.pid))
            self.done.wait(0.5)


def pieces(path: Path, size: int = 1 << 20) -> Iterator[bytes]:
    with path.open("rb") as f:
        while block := f.read(size):
            yield block


def upload(url: str, path: Path, pid: int) -> tuple[float, dict[str, Any], list[float]]:
    sampler = Sampler(pid)
    sampler.start()
    headers = {"Authorization": f"Bearer {token('matching', SCOPE_ROSTERS)}", "Content-Type": NDJSON}
    began = time.perf_counter()
    response = httpx.post(
        f"{url}/internal/rosters/{SOURCE}/snapshot",
        content=pieces(path),
        headers=headers,
        timeout=httpx.Timeout(3600, connect=10),
    )
    seconds = time.perf_counter() - began
    sampler.done.set()
    sampler.join()
    response.raise_for_status()
    return seconds, response.json(), sampler.samples


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--database-url", default=PG + "snx_bench_match")
    args = ap.parse_args()

    path, smaller = roster_file(args.records, args.seed), roster_file(args.records, args.seed, drop_every=100)
    size_mb = path.stat().st_size / 2**20
    header(
        "Roster snapshot ingest into matching (streamed)",
        data=f"{args.records:,} records, {size_mb:,.0f} MB NDJSON, one source",
        database=args.database_url.split("@")[-1],
    )
    url = fresh_database(args.database_url, "matching")
    port = free_port()
    env = matching_env(url, port)
    base = f"http://127.0.0.1:{port}"
    proc = start(
        ["-m", "shared.cli", "serve", "matching"], env, f"{base}/readyz", Path("/tmp/snx_bench_match.log")
    )
    try:
        idle = rss_mb(proc.pid)
        for label, file in (
            ("first snapshot", path),
            ("same snapshot again", path),
            ("1 % left out", smaller),
        ):
            seconds, body, samples = upload(base, file, proc.pid)
            quarter = samples[len(samples) // 4] if samples else 0
            print(
                f"{label}: {seconds:.1f} s, {body['received'] / seconds:,.0f} records/s; "
                f"inserted {body['inserted']:,}, updated {body['updated']:,}, "
                f"unchanged {body['unchanged']:,}, ended {body['ended']:,}, rejected {body['rejected']:,}; "
                f"server RSS MB idle {idle:.0f} → at 25 % {quarter:.0f} → peak {max(samples, default=0):.0f}"
            )
    finally:
        stop(proc)
    print(f"log: /tmp/snx_bench_match.log; root {ROOT}")


if __name__ == "__main__":
    main()
