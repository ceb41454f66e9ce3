"""Scoring a deduplication against the population's ground truth, and running the two matchers.

Pairwise precision / recall / F1, the usual measure for record linkage: a *true pair* is two records of
the same person, a *found pair* two records given the same cluster. Counted from the contingency table
of (person, cluster) — never by listing pairs, so a million records cost a second.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from bench.common import ROOT

KEY = ["source", "record_id"]


@dataclass
class Scores:
    true_pairs: int
    found_pairs: int
    correct_pairs: int

    @property
    def precision(self) -> float:
        return self.correct_pairs / self.found_pairs if self.found_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _pairs(sizes: pl.Series) -> int:
    n = sizes.cast(pl.Int64).to_numpy()
    return int((n * (n - 1) // 2).sum())


def pairwise(truth: pl.DataFrame, clusters: pl.DataFrame) -> Scores:
    """``truth``: source, record_id, person_id; ``clusters``: source, record_id, cluster (any type)."""
    both = truth.join(clusters.select(*KEY, pl.col("cluster").cast(pl.String)), on=KEY, how="left")
    # a record the matcher dropped counts as a person of its own
    both = both.with_columns(
        pl.col("cluster").fill_null(pl.lit("missing:") + pl.col("source") + pl.col("record_id"))
    )
    return Scores(
        true_pairs=_pairs(both.group_by("person_id").len().get_column("len")),
        found_pairs=_pairs(both.group_by("cluster").len().get_column("len")),
        correct_pairs=_pairs(both.group_by("person_id", "cluster").len().get_column("len")),
    )


def read_truth(folder: Path) -> pl.DataFrame:
    return pl.read_csv(folder / "truth.csv", schema_overrides={"record_id": pl.String, "source": pl.String})


def blocking_recall(truth: pl.DataFrame, refs: pl.DataFrame, i: np.ndarray, j: np.ndarray) -> float:
    """Share of true pairs that blocking put in front of the scorer (``refs`` row r = record r)."""
    person = refs.join(truth, on=KEY, how="left").get_column("person_id").to_numpy()
    found = int((person[i] == person[j]).sum())
    return found / _pairs(truth.group_by("person_id").len().get_column("len"))


def population(persons: int, seed: int, folder: Path | None = None) -> Path:
    """The generated population (made once, then reused)."""
    folder = folder or Path(os.environ.get("SNX_BENCH_DATA", "/tmp/snx-bench")) / f"pop-{persons}-s{seed}"
    if not (folder / "truth.csv").exists():
        script = str(ROOT / "bench/population.py")
        subprocess.run(
            [sys.executable, script, "--persons", str(persons), "--seed", str(seed), "--output", str(folder)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return folder


@dataclass
class Run:
    seconds: float
    peak_rss_mb: float
    stdout: str


TIME = Path("/usr/bin/time")


def timed(args: list[str], cwd: Path = ROOT) -> Run:
    """Run a command to its end; wall time and its peak RSS.

    The peak comes from GNU time (``%M``) where it is installed: a child's own ``ru_maxrss`` starts
    from its parent's high-water mark (Linux keeps it across fork and exec), so a large benchmark
    process would inflate it; GNU time is small when it starts the command. Else ``wait4``'s figure.
    """
    with tempfile.NamedTemporaryFile("r") as peak:
        command = [str(TIME), "-f", "%M", "-o", peak.name, *args] if TIME.exists() else args
        started = time.perf_counter()
        proc = subprocess.Popen(
            command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        out = proc.stdout.read() if proc.stdout else ""
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status):
            raise RuntimeError(f"{args} exited with {os.waitstatus_to_exitcode(status)}")
        reported = peak.read().strip().splitlines()
    kilobytes = int(reported[-1]) if TIME.exists() and reported else usage.ru_maxrss
    return Run(seconds, kilobytes / 1024, out)


def snx_dedup(records: Path, output: Path) -> Run:
    return timed(
        [str(ROOT / ".venv/bin/snx"), "match", "dedup", "--input", str(records), "--output", str(output)]
    )


def read_snx(output: Path) -> pl.DataFrame:
    return pl.read_ndjson(output).select(*KEY, pl.col("person_key").alias("cluster"))
