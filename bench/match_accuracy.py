"""M1 and M2: accuracy of ``snx match dedup`` on the synthetic population, and Splink on the same file.

Generates (once) a population with ``bench/population.py``, runs our CLI end to end ``--runs`` times
and Splink (``bench/splink_dedup.py`` in ``.venv-bench``, see ``make bench-venv``) as often, and
prints pairwise precision / recall / F1 for both, blocking recall, time and peak memory. Our model is
the shipped one (trained on a population of another seed), never fitted to this file.

    .venv/bin/python bench/match_accuracy.py --persons 100000 --seed 7 --runs 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, header
from bench.linkage import (
    Run,
    Scores,
    blocking_recall,
    pairwise,
    population,
    read_snx,
    read_truth,
    snx_dedup,
    timed,
)

SPLINK_PYTHON = ROOT / ".venv-bench/bin/python"


def ours_blocking(records: Path, truth: pl.DataFrame) -> tuple[float, int]:
    from services.matching.engine.batch import dedup
    from services.matching.engine.model import FellegiSunter
    from services.matching.engine.ndjson import read_records
    from services.matching.engine.normalize import normalize  # noqa: F401 - warms the import

    with records.open("rb") as f:
        result = dedup(read_records(f), FellegiSunter.load())
    refs = result.records.filter(pl.col("error").is_null()).select("source", "record_id")
    return blocking_recall(truth, refs, result.pairs.i, result.pairs.j), len(result.pairs.i)


def line(tool: str, scores: Scores, runs: list[Run], records: int, extra: str = "") -> dict[str, object]:
    seconds = statistics.median(r.seconds for r in runs)
    row = {
        "tool": tool,
        "precision": round(scores.precision, 5),
        "recall": round(scores.recall, 5),
        "f1": round(scores.f1, 5),
        "seconds_median": round(seconds, 2),
        "seconds_runs": [round(r.seconds, 2) for r in runs],
        "records_per_second": round(records / seconds),
        "peak_rss_mb": round(max(r.peak_rss_mb for r in runs)),
    }
    print(
        f"| {tool} | {row['precision']:.5f} | {row['recall']:.5f} | **{row['f1']:.5f}** | "
        f"{seconds:.1f} s ({', '.join(f'{r.seconds:.1f}' for r in runs)}) | "
        f"{row['records_per_second']:,}/s | {row['peak_rss_mb']:,} MB | {extra} |"
    )
    return row


def splink_command(records: Path, out: Path, threshold: float) -> list[str]:
    script = str(ROOT / "bench/splink_dedup.py")
    paths = ["--input", str(records), "--output", str(out)]
    return [str(SPLINK_PYTHON), script, *paths, "--threads", "2", "--threshold", str(threshold)]


def splink_model(threshold: float) -> Path:
    """Splink trained once on the population our shipped model was trained on (seed 1, 200 k)."""
    folder = population(200_000, 1)
    model = folder / "splink-model.json"
    if not model.exists():
        run = timed([*splink_command(folder / "records.ndjson", folder / "splink-train.csv", threshold),
                     "--save-model", str(model)])  # fmt: skip
        print(f"Splink model trained on {folder} in {run.seconds:.0f} s (not timed below)")
    return model


def splink_row(
    records: Path,
    truth: pl.DataFrame,
    count: int,
    args: argparse.Namespace,
    tmp: Path,
    model: Path | None,
    n: int,
    dob_with: str,
) -> dict[str, object]:
    out = tmp / "splink.csv"
    runs = [timed(splink_run(records, out, args, model, dob_with)) for _ in range(n)]
    return splink_line(out, truth, count, runs, model, dob_with)


def splink_run(
    records: Path, out: Path, args: argparse.Namespace, model: Path | None, dob_with: str
) -> list[str]:
    command = [*splink_command(records, out, args.splink_threshold), "--dob-with", dob_with]
    return command + (["--model", str(model)] if model else [])


def splink_line(
    out: Path, truth: pl.DataFrame, count: int, runs: list[Run], model: Path | None, dob_with: str
) -> dict[str, object]:
    info = json.loads(runs[-1].stdout.strip().splitlines()[-1])
    clusters = pl.read_csv(out, schema_overrides={"record_id": pl.String, "cluster_id": pl.String})
    scores = pairwise(truth, clusters.rename({"cluster_id": "cluster"}))
    stages = ", ".join(
        f"{k[8:]} {v:.1f}" for k, v in info.items() if k.startswith("seconds_") and k != "seconds_total"
    )
    how = "model trained on seed 1" if model else "trained on this file"
    notes = f"{how}; birth date blocked with {dob_with}; DuckDB 2 threads; {stages} s"
    return line(f"Splink {info['version']}", scores, runs, count, notes)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--persons", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-splink", action="store_true", help="only our matcher")
    ap.add_argument("--splink-threshold", type=float, default=0.9)
    ap.add_argument(
        "--like-for-like-only", action="store_true", help="only the peer the ratio is taken against"
    )
    args = ap.parse_args()

    folder = population(args.persons, args.seed)
    records = folder / "records.ndjson"
    summary = json.loads((folder / "summary.json").read_text())
    truth = read_truth(folder)
    header(
        "M1/M2 — matching accuracy and Splink in the same run",
        data=f"{args.persons:,} persons, {summary['records']:,} records, seed {args.seed} ({folder})",
        runs=args.runs,
    )
    recall, candidates = ours_blocking(records, truth)
    print(
        f"blocking: {candidates:,} candidate pairs; blocking recall {recall:.5f} "
        "(share of true pairs put in front of the scorer)"
    )
    print()
    print("| matcher | precision | recall | F1 | time (median; runs) | records/s | peak RSS | notes |")
    print("|---|---|---|---|---|---|---|---|")
    rows = []
    peer = not args.no_splink and SPLINK_PYTHON.exists()
    if not args.no_splink and not peer:
        print(f"(Splink skipped: {SPLINK_PYTHON} missing; `make bench-venv` makes it)")
    with tempfile.TemporaryDirectory() as tmp:
        out, peer_out = Path(tmp) / "snx.ndjson", Path(tmp) / "splink.csv"
        model = splink_model(args.splink_threshold) if peer else None
        # ours and the like-for-like peer (a seed-1 model, birth date + township) take turns, so
        # that a machine slower for a while slows both alike
        runs, peer_runs = [], []
        for _ in range(args.runs):
            runs.append(snx_dedup(records, out))
            if peer:
                peer_runs.append(timed(splink_run(records, peer_out, args, model, "township")))
        scores = pairwise(truth, read_snx(out))
        rows.append(line("snx match dedup", scores, runs, summary["records"], "shipped model (seed 1), CLI"))
        if peer:
            rows.append(splink_line(peer_out, truth, summary["records"], peer_runs, model, "township"))
        if peer and not args.like_for_like_only:  # the peer as first written (+ county), and self-trained
            for dob_with, m, n in (("county", model, args.runs), ("county", None, 1)):
                rows.append(splink_row(records, truth, summary["records"], args, Path(tmp), m, n, dob_with))
    if len(rows) >= 2:
        ours, theirs = rows[0], rows[1]
        ratio = ours["records_per_second"] / theirs["records_per_second"]  # type: ignore[operator]
        gap = ours["f1"] - theirs["f1"]  # type: ignore[operator]
        print(
            f"\nsnx / Splink (seed-1 models, birth date + township): throughput {ratio:.2f}×, F1 {gap:+.5f}"
        )
    print(json.dumps({"blocking_recall": round(recall, 5), "candidate_pairs": candidates, "rows": rows}))


if __name__ == "__main__":
    main()
