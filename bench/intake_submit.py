"""S1: application submissions (household of 3) to intake over HTTP, open-loop at a fixed rate.

Starts intake (`snx serve intake`, N worker processes) on a fresh PostgreSQL database and a
pre-check server implementing matching's contract (or none: matching down), then sends
submissions at a fixed arrival rate. Latency counts from each request's scheduled send time, so a
server that falls behind shows it (no coordinated omission). Prints the median of several runs.

    .venv/bin/python bench/intake_submit.py --rate 300 --seconds 20 --runs 3
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import loadgen
from bench.common import PG, People, fresh_database, header, start, stop
from tests.support import auth, free_port

TOWNSHIP = "110105001"


def bodies(n: int) -> list[dict[str, Any]]:
    people = People()
    out = []
    for _ in range(n):
        members = []
        for rel, low, high, male in (("02", 0, 40, True), ("10", 0, 40, False), ("20", 62, 80, True)):
            id_number, name = people.person(people.birth(low, high), male)
            members.append({"name": name, "id_number": id_number, "relationship": rel})
        out.append(
            {
                "programme": "dibao_urban",
                "division_code": TOWNSHIP,
                "area_type": "urban",
                "address": "某社区 1 号",
                "members": members,
                "income": [{"kind": "wage", "monthly_amount": "900", "member_index": 0}],
                "authorisation_signed_on": "2026-01-05",
            }
        )
    return out


def requester(payloads: list[dict[str, Any]], port: int, tag: str) -> Callable[[int], bytes]:
    token = auth("intake", "intake:write", "intake:read", division=TOWNSHIP)["Authorization"]
    encoded = [json.dumps(p, ensure_ascii=False).encode() for p in payloads]
    head = f"POST /v1/applications HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
    head += f"Authorization: {token}\r\n"

    def make(i: int) -> bytes:
        body = encoded[i % len(encoded)]
        return f"{head}Idempotency-Key: {tag}-{i}\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body

    return make


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=300, help="submissions per second offered")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="intake processes")
    parser.add_argument("--database-url", default=PG + "snx_bench_intake")
    parser.add_argument(
        "--precheck",
        choices=("instant", "stub", "down"),
        default="instant",
        help="instant: a peer that answers at once (matching on its own machine); stub: the full contract "
        "server on this machine; down: nothing listens (pending pre-checks, breaker open)",
    )
    args = parser.parse_args()
    header(
        "S1 intake submissions",
        data=f"households of 3, {args.rate:.0f}/s offered for {args.seconds:.0f} s, {args.runs} runs",
        database=args.database_url.split("@")[-1],
        workers=args.workers,
        precheck=args.precheck,
    )
    payloads = bodies(5000)
    tmp = Path(tempfile.mkdtemp(prefix="snx-bench-"))
    stub_port, intake_port = free_port(), free_port()
    procs = []
    if args.precheck == "instant":
        procs.append(
            start(
                ["-m", "bench.precheck_responder", "--port", str(stub_port)],
                {},
                f"http://127.0.0.1:{stub_port}",
                tmp / "stub.log",
                ready_status=None,
            )
        )
    if args.precheck == "stub":
        procs.append(
            start(
                ["-m", "tests.matching_stub", "--port", str(stub_port)],
                {},
                f"http://127.0.0.1:{stub_port}/openapi.json",
                tmp / "stub.log",
            )
        )
    results = []
    try:
        for run in range(args.runs):
            fresh_database(args.database_url)
            env = {
                "INTAKE_DATABASE_URL": args.database_url,
                "INTAKE_ENV": "test",
                "INTAKE_LOG_FORMAT": "json",
                "INTAKE_LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "INFO"),
                "INTAKE_MATCHING_URL": f"http://127.0.0.1:{stub_port}",
            }
            intake = start(
                [
                    "-m",
                    "shared.cli",
                    "serve",
                    "intake",
                    "--port",
                    str(intake_port),
                    "--workers",
                    str(args.workers),
                ],
                env,
                f"http://127.0.0.1:{intake_port}/readyz",
                tmp / "intake.log",
            )
            try:
                make = requester(payloads, intake_port, f"run{run}")
                asyncio.run(loadgen.run("127.0.0.1", intake_port, make, args.rate, 2))  # warm-up
                result = asyncio.run(
                    loadgen.run(
                        "127.0.0.1",
                        intake_port,
                        requester(payloads, intake_port, f"r{run}"),
                        args.rate,
                        args.seconds,
                    )
                ).summary()
            finally:
                stop(intake)
            results.append(result)
            print(f"run {run + 1}: " + ", ".join(f"{k}={v:.1f}" for k, v in result.items()), flush=True)
    finally:
        for proc in procs:
            stop(proc)
    med = {k: statistics.median(r[k] for r in results) for k in results[0]}
    print(
        f"median: {med['throughput']:.0f} submissions/s at {args.rate:.0f}/s offered; latency ms "
        f"p50 {med['p50']:.1f}, p95 {med['p95']:.1f}, p99 {med['p99']:.1f}, max {med['max']:.0f}; "
        f"errors {med['errors']:.0f}"
    )


if __name__ == "__main__":
    main()
