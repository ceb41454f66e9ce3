"""S2: bulk import of 100,000 applications (one row per member) with full validation.

Writes a template file (CSV or XLSX) of N applications of 1-4 members, with about 1 % of
applications carrying a bad row, uploads it as an import job and runs the import worker to the end
in this process, on a fresh database. Prints the wall time, rows/s, the counts, and the process's
resident memory sampled while it runs (flat memory: the file is streamed, work goes in chunks).

    .venv/bin/python bench/intake_import.py --applications 100000 --runs 3
    .venv/bin/python bench/intake_import.py --applications 100000 --format xlsx --runs 1
"""

from __future__ import annotations

import argparse
import csv
import io
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import PG, People, fresh_database, header
from services.intake.config import IntakeSettings
from services.intake.domain.import_values import COLUMNS
from services.intake.service.context import IntakeContext
from services.intake.service.imports import create_import, get_import, run_next_import
from shared.auth import Principal
from shared.db import Database

TOWNSHIP = "110105001"
RELATIONS = ("户主", "配偶", "子", "女")


def make_rows(n: int) -> list[list[str]]:
    people = People(seed=11)
    rows = [[c.zh for c in COLUMNS]]
    index = {c.field: i for i, c in enumerate(COLUMNS)}
    for a in range(n):
        size = 1 + a % 4
        for m in range(size):
            born = people.birth(0, 45) if m < 2 else people.birth(65, 80)
            id_number, name = people.person(born, male=m != 1)
            row = [""] * len(COLUMNS)
            values = {
                "source_ref": f"B-{a:06d}",
                "programme": "农村低保" if a % 3 else "城市低保",
                "division_code": TOWNSHIP,
                "area_type": "农村" if a % 3 else "城镇",
                "address": "某村 3 组",
                "authorisation_signed_on": "2026-01-05",
                "name": name,
                "id_number": id_number,
                "relationship": RELATIONS[m],
                "birth_date": born.isoformat(),
                "monthly_income": "600" if m == 0 else "",
                "work_capacity": "有劳动能力" if m < 2 else "",
            }
            if a % 97 == 5 and m == size - 1:
                values["id_number"] = id_number[:-1] + ("0" if id_number[-1] != "0" else "1")  # a typo
            for k, v in values.items():
                row[index[k]] = v
            rows.append(row)
    return rows


def encode(rows: list[list[str]], fmt: str) -> bytes:
    if fmt == "csv":
        out = io.StringIO()
        csv.writer(out).writerows(rows)
        return out.getvalue().encode("utf-8-sig")
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    for r in rows:
        sheet.append(r)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run_once(url: str, content: bytes, fmt: str) -> dict[str, float]:
    fresh_database(url)
    settings = IntakeSettings(
        env="test", database_url=url, workers_enabled=False, matching_url="http://127.0.0.1:9"
    )
    ctx, db = IntakeContext.from_settings(settings), Database(url)
    who = Principal("bench:importer", frozenset({"intake:write"}), TOWNSHIP)
    with db.unit_of_work() as uow:
        job_id = create_import(uow.session, who, content, f"bench.{fmt}", None).id
    samples: list[float] = []
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.5):
            samples.append(rss_mb())

    sampler = threading.Thread(target=sample, daemon=True)
    start_rss = rss_mb()
    sampler.start()
    began = time.perf_counter()
    run_next_import(db, ctx)
    elapsed = time.perf_counter() - began
    done.set()
    sampler.join()
    with db.unit_of_work() as uow:
        job = get_import(uow.session, who, job_id)
        counts = {
            k: float(getattr(job, k))
            for k in ("rows_read", "applications_created", "applications_rejected", "error_rows")
        }
        assert job.status == "done", job.failure
    db.dispose()
    ctx.close()
    quarter = samples[len(samples) // 4] if samples else start_rss
    return {
        "seconds": elapsed,
        **counts,
        "rss_start": start_rss,
        "rss_25pct": quarter,
        "rss_peak": max(samples, default=start_rss),
        "rss_end": samples[-1] if samples else start_rss,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", default=PG + "snx_bench_import")
    args = parser.parse_args()
    rows = make_rows(args.applications)
    content = encode(rows, args.format)
    n_rows = len(rows) - 1
    del rows
    header(
        "S2 intake bulk import",
        data=f"{args.applications} applications, {n_rows} rows (one per member), "
        f"{len(content) / 1e6:.1f} MB {args.format}",
        database=args.database_url.split("@")[-1].split("///")[-1],
    )
    results = []
    for run in range(args.runs):
        result = run_once(args.database_url, content, args.format)
        results.append(result)
        print(f"run {run + 1}: " + ", ".join(f"{k}={v:.1f}" for k, v in result.items()), flush=True)
    med = {k: statistics.median(r[k] for r in results) for k in results[0]}
    print(
        f"median: {med['seconds']:.1f} s for {med['applications_created']:.0f} applications created + "
        f"{med['applications_rejected']:.0f} rejected ({med['rows_read'] / med['seconds']:.0f} rows/s); "
        f"RSS MB start {med['rss_start']:.0f}, at 25% {med['rss_25pct']:.0f}, peak {med['rss_peak']:.0f}, "
        f"end {med['rss_end']:.0f}"
    )


if __name__ == "__main__":
    main()
