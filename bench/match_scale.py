"""M3: ``snx match dedup`` end to end at 100 k, 300 k, 1 M and 3 M persons: time and peak memory.

Each size is a generated population (``bench/population.py``, made once and reused); each run is
the CLI as a user runs it — a new process that reads the NDJSON file and writes one line per
record — timed from start to exit, with the process's own peak RSS (``wait4``). Accuracy against
the ground truth is printed beside it.

    .venv/bin/python bench/match_scale.py --sizes 100000 300000 1000000 3000000 --runs 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import header
from bench.linkage import pairwise, population, read_snx, read_truth, snx_dedup


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 300_000, 1_000_000, 3_000_000])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    header("M3 — batch deduplication end to end", runs=args.runs, seed=args.seed)
    print()
    print("| persons | records | time (median; runs) | records/s | peak RSS | precision | recall | F1 |")
    print("|---|---|---|---|---|---|---|---|")
    rows = []
    for persons in args.sizes:
        folder = population(persons, args.seed)
        records = json.loads((folder / "summary.json").read_text())["records"]
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "out.ndjson"
            runs = [snx_dedup(folder / "records.ndjson", out) for _ in range(args.runs)]
            scores = pairwise(read_truth(folder), read_snx(out))
        seconds = statistics.median(r.seconds for r in runs)
        peak = max(r.peak_rss_mb for r in runs)
        each = ", ".join(f"{r.seconds:.1f}" for r in runs)
        print(
            f"| {persons:,} | {records:,} | **{seconds:.1f} s** ({each}) | {records / seconds:,.0f} | "
            f"{peak / 1024:.2f} GB | {scores.precision:.5f} | {scores.recall:.5f} | {scores.f1:.5f} |",
            flush=True,
        )
        rows.append({"persons": persons, "records": records, "seconds": seconds, "peak_rss_mb": round(peak)})
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
