"""``snx match …``: batch deduplication and model training from the command line.

snx match dedup --input F --output G [--explain] [--grey H] [--decisions D] [--model M] [--train]
snx match train --input F --output MODEL.json
snx match recheck [--identities]   (the service's database, from MATCHING_* settings)
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import orjson

DESCRIPTION = """Deduplicate standard person records (NDJSON, one per line) into persons.
Writes one line per input record: record_id, source, person_key, confidence (and evidence with
--explain); records with the same person_key are the same person. Progress goes to stderr."""


@contextlib.contextmanager
def _open(path: str, mode: str) -> Iterator[IO[bytes]]:
    if path == "-":
        yield sys.stdin.buffer if "r" in mode else sys.stdout.buffer
    else:
        with open(path, mode) as f:
            yield f


def _records(path: str) -> Iterator[Any]:
    """Frames of records: stdin in chunks as it comes, a file the fastest way (the compiled
    ``ingest.read_normalised``, else ``read_file``)."""
    from services.matching.engine import ingest
    from services.matching.engine.ndjson import read_file, read_records

    if path == "-":
        return read_records(sys.stdin.buffer)
    if not ingest.available():
        return read_file(path)
    return (ingest.read_normalised(path) for _ in range(1))  # read when the run starts its clock


def _say(message: str) -> None:
    print(f"snx match: {message}", file=sys.stderr, flush=True)


def _decisions(path: str | None) -> Any:
    from services.matching.engine.batch import Decisions

    decisions = Decisions()
    if path:
        for line in Path(path).read_bytes().splitlines():
            if line.strip():
                d = orjson.loads(line)
                pair = ((d["a"]["source"], d["a"]["record_id"]), (d["b"]["source"], d["b"]["record_id"]))
                (decisions.must_link if d["decision"] == "same_person" else decisions.cannot_link).append(
                    pair
                )
    return decisions


def _keep_freed_memory() -> None:
    """Keep freed memory for the next array instead of giving it back to the kernel.

    A run allocates and frees arrays of a million values by the hundred; by default each freed
    one goes back to the kernel, and the next one comes as fresh pages that the kernel must zero
    (a tenth of the run's CPU time went to zeroing pages at 1 M records). So glibc's malloc keeps
    what is freed, for every thread (one arena: a worker thread's big arrays would otherwise be
    mapped and unmapped each time), and numpy does not ask for huge pages: where the kernel
    compacts memory to find them, a run waited for it now and then. Called before numpy is
    imported; no effect where the C library is not glibc; the memory stays the process's until
    it exits.
    """
    os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # pragma: no cover - not glibc
        return
    m_trim_threshold, m_top_pad, m_mmap_threshold, m_arena_max = -1, -2, -3, -8
    mallopt(m_arena_max, 1)
    mallopt(m_mmap_threshold, 1 << 30)
    mallopt(m_trim_threshold, 1 << 30)
    mallopt(m_top_pad, 256 << 20)


def _dedup(args: argparse.Namespace) -> int:
    # A run makes millions of short-lived objects (strings, evidence) and no cycles worth
    # collecting: the cyclic collector would rescan them all, again and again (~1 s at 1 M).
    gc.disable()
    _keep_freed_memory()  # before numpy is imported
    from services.matching.engine.batch import dedup
    from services.matching.engine.model import FellegiSunter

    model = FellegiSunter.load(Path(args.model)) if args.model else FellegiSunter.load()
    result = dedup(
        _records(args.input),
        model,
        decisions=_decisions(args.decisions),
        explain_records=args.explain,
        train=args.train,
        progress=_say,
    )
    with _open(args.output, "wb") as out:
        write_records(out, result)
    if args.grey:
        result.grey.write_ndjson(args.grey)
    s = result.stats
    errors = result.records.get_column("error").is_not_null().sum()
    _say(
        f"{s['records']:,} records → {s['persons']:,} persons; {s['grey_pairs']:,} uncertain pairs; "
        f"{errors:,} records refused; {max(s['seconds'].values(), default=0):.1f} s"
    )
    return 0


def write_records(out: IO[bytes], result: Any) -> None:
    frame = result.records.select("record_id", "source", "person_key", "confidence", "line", "error")
    if result.evidence is None and frame.get_column("error").null_count() == frame.height:
        write_plain(out, frame.drop("error", "line"))
        return
    evidence = iter(result.evidence or ())
    for row in frame.iter_rows(named=True):
        if row["error"]:
            from services.matching.engine.ndjson import ERRORS

            zh, en = ERRORS[row["error"]]
            line = {
                "line": row["line"],
                "record_id": row["record_id"],
                "source": row["source"],
                "error": {"code": row["error"], "zh": zh, "en": en},
            }
        else:
            line = {k: row[k] for k in ("record_id", "source", "person_key", "confidence")}
            if result.evidence is not None:
                line["evidence"] = next(evidence)
        out.write(orjson.dumps(line) + b"\n")


def write_plain(out: IO[bytes], frame: Any) -> None:
    """Records without errors or evidence: compiled (``_ingest.record_blocks``) when it is built and
    the values allow, else polars' writer — the same bytes either way."""
    from services.matching.engine import ingest

    if not (ingest.available() and ingest.write_records(frame, out)):
        frame.write_ndjson(out)


def _train(args: argparse.Namespace) -> int:
    from services.matching.engine.batch import dedup

    result = dedup(_records(args.input), None, train=True, progress=_say)
    model = result.model
    model.version = args.version or model.version
    model.save(Path(args.output))
    _say(f"model {model.version} written to {args.output} (prior {model.prior:.2e})")
    return 0


def _recheck(args: argparse.Namespace) -> int:
    """The cross-check rules over every person (and with --identities, who is who first)."""
    from services.matching.config import MatchingSettings
    from services.matching.domain import rules_config
    from services.matching.engine.model import FellegiSunter
    from services.matching.service.findings import recheck_all
    from services.matching.service.identity import rerun, resolve_pending
    from services.matching.service.person_index import IdentityIndex
    from shared.db import Database

    settings = MatchingSettings()
    db = Database(settings.database_url)
    index = IdentityIndex(db, FellegiSunter.load())
    try:
        if args.identities:
            s = rerun(db, index, progress=_say)
            _say(
                f"identities: {s.records:,} records, {s.persons:,} persons; "
                f"{s.merged} merged, {s.split} split"
            )
        while resolve_pending(db, index):
            pass
        counts = recheck_all(
            db, rules_config.load(settings.rules_file or rules_config.SHIPPED), progress=_say
        )
    finally:
        db.dispose()
    _say(
        f"rules: {counts.persons:,} persons checked; {counts.raised:,} findings raised, "
        f"{counts.reopened:,} reopened, {counts.resolved:,} resolved"
    )
    return 0


def add_commands(sub: Any) -> None:
    match = sub.add_parser("match", help="batch matching: dedup, train, recheck")
    verbs = match.add_subparsers(dest="verb", required=True)
    dedup = verbs.add_parser("dedup", help="deduplicate NDJSON person records", description=DESCRIPTION)
    dedup.add_argument("--input", required=True, help="NDJSON file of standard person records ('-' = stdin)")
    dedup.add_argument("--output", required=True, help="NDJSON file, one line per record ('-' = stdout)")
    dedup.add_argument("--explain", action="store_true", help="add each record's evidence")
    dedup.add_argument("--grey", help="write the uncertain pairs (the grey zone) here, NDJSON")
    dedup.add_argument(
        "--decisions", help="NDJSON of reviewers' decisions: {a, b, decision: same_person|different_persons}"
    )
    dedup.add_argument("--model", help="a model file (default: the shipped one)")
    dedup.add_argument("--train", action="store_true", help="re-estimate the model on this input first (EM)")
    dedup.set_defaults(func=_dedup)
    train = verbs.add_parser("train", help="estimate a model from NDJSON person records (EM)")
    train.add_argument("--input", required=True)
    train.add_argument("--output", required=True)
    train.add_argument("--version", help="version string stored in the model")
    train.set_defaults(func=_train)
    recheck = verbs.add_parser(
        "recheck", help="run the cross-check rules over everyone (the service's database)"
    )
    recheck.add_argument("--identities", action="store_true", help="re-cluster every record first (full run)")
    recheck.set_defaults(func=_recheck)
