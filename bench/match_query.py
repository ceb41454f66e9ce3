"""M4: real-time query latency of the in-process person index against 1 M persons.

Loads the index with a generated population (persons from a batch run of the engine) minus a
held-out sample, then queries the held-out records one at a time, as new applications would come:
most are people the index knows under other records (dirty IDs, homophones …), some are not.
Prints latency p50/p95/p99 per round (median over rounds), load time, index memory, and how
often the top candidate is right against the ground truth.

    .venv/bin/python bench/match_query.py --persons 1000000 --queries 2000 --rounds 3
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import header
from bench.linkage import population, read_truth
from services.matching.engine.batch import dedup
from services.matching.engine.index import PersonIndex
from services.matching.engine.model import FellegiSunter
from services.matching.engine.ndjson import read_records
from services.matching.engine.normalize import add_name_keys, normalize


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--queries", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()

    folder = population(args.persons, args.seed)
    model = FellegiSunter.load()
    with (folder / "records.ndjson").open("rb") as f:
        raw = pl.concat(list(read_records(f))).filter(pl.col("error").is_null())
    persons = dedup([raw], model).records.get_column("person_key")
    norm = add_name_keys(normalize(raw, names=False))
    rng = np.random.default_rng(args.seed)
    held = np.zeros(norm.height, bool)
    held[rng.choice(norm.height, args.queries, replace=False)] = True
    header(
        "M4 — real-time query against the in-process person index",
        data=f"{args.persons:,} persons, {norm.height - args.queries:,} records indexed",
        queries=f"{args.queries:,} held-out records, one at a time",
        rounds=args.rounds,
    )
    before, started = _rss_mb(), time.perf_counter()
    index = PersonIndex(model)
    index.load(norm.filter(~held), persons.filter(~held).to_list())
    loaded, after = time.perf_counter() - started, _rss_mb()
    print(
        f"load: {loaded:.1f} s; {index.persons():,} persons; arrays {index.memory_bytes() / 2**20:,.0f} MB, "
        f"process RSS +{after - before:,.0f} MB (arrays, keys, Python lists and dicts)"
    )

    queries = raw.filter(held).to_dicts()
    truth = read_truth(folder)
    person_of = dict(
        zip(zip(truth["source"], truth["record_id"], strict=True), truth["person_id"], strict=True)
    )
    known = set(
        truth.join(raw.filter(~held).select("source", "record_id"), on=["source", "record_id"])["person_id"]
    )
    for q in queries[:200]:  # warm-up
        index.query(q)
    rounds = []
    for _ in range(args.rounds):
        latencies, right = [], 0
        for q in queries:
            t = time.perf_counter_ns()
            found = index.query(q)
            latencies.append((time.perf_counter_ns() - t) / 1e6)
            me = person_of[(q["source"], q["record_id"])]
            top = found[0] if found and found[0].linked else None
            right += (person_of[top.record] == me) if top else (me not in known)
        ms = np.percentile(latencies, [50, 95, 99, 100])
        rounds.append(ms)
        print(
            f"round: p50 {ms[0]:.2f} ms, p95 {ms[1]:.2f}, p99 {ms[2]:.2f}, max {ms[3]:.1f}; "
            f"top candidate right {right / len(queries):.4f}"
        )
    p50, p95, p99 = (statistics.median(r[k] for r in rounds) for k in range(3))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"\n**p50 {p50:.2f} ms, p95 {p95:.2f} ms, p99 {p99:.2f} ms** (median of {args.rounds} rounds); "
        f"peak RSS {peak:,.0f} MB"
    )


if __name__ == "__main__":
    main()
