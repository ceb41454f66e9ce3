"""An NDJSON file of standard person records → records and normalised columns, in one pass.

The same answer as ``ndjson.read_file`` followed by ``normalize.normalize`` (the reference, which
tests hold it to), in a fraction of the time: the compiled ``_ingest`` parses and normalises
each line on both cores straight from the file's bytes, and hands every line it is not sure of
(escapes, numbers where text belongs, unusual characters, lines that are not JSON) to the
reference, which reads those lines with orjson and normalises them with polars.

``read_normalised`` gives one frame in line order with the columns ``COLUMNS``: ``line``,
``source``, ``record_id``, ``error`` as ``read_file`` gives them, and ``normalize``'s columns,
filled only where ``error`` is null (``batch.prepare`` takes such a frame as it is).
A field repeated in one object counts with its last value, as orjson reads it.
"""

from __future__ import annotations

import mmap
import os
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import IO, Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from services.matching.engine.names import KEY_SCHEMA, name_table, plain_tables
from services.matching.engine.ndjson import checked, slow_lines
from services.matching.engine.normalize import normalize, other_document_number

try:  # compiled at install (setup.py); without a C compiler, read_file + normalize do it all
    import services.matching.engine._ingest as _ingest
except ImportError:  # pragma: no cover - an install without the compiled part
    _ingest = None

COLUMNS = (
    *("line", "source", "record_id", "error", "name", "id_text", "_id18", "_id_form", "id18", "id_valid"),
    *("id_birth", "id_sex", "birth", "sex", "county", "township", "village"),
    *("name_simple", "name_phonetic", "name_fuzzy", "name_latin"),
)
I64 = NDArray[np.int64]
NAME_KEYS = [c for c in KEY_SCHEMA if c != "name"]


def available() -> bool:
    return _ingest is not None


def read_normalised(
    path: str | Path, *, today: date | None = None, threads: int | None = None
) -> pl.DataFrame:
    """Every non-blank line of ``path`` as a record, normalised (module doc)."""
    assert _ingest is not None, "the compiled reader is not built"
    day = today or date.today()
    limit = day.year * 10000 + day.month * 100 + day.day
    data = _bytes(path)
    parts = max(1, min(threads or os.cpu_count() or 1, 8))
    with ThreadPoolExecutor(parts) as pool:  # the compiled loops let go of the GIL: every core works
        cut = _cuts(len(data), parts)
        found = [pool.submit(_ingest.line_bounds, data, cut[k], cut[k + 1]) for k in range(parts)]
        tables = plain_tables()  # built once per process, while the lines are found
        starts = np.concatenate([f.result()[0] for f in found])
        ends = np.concatenate([f.result()[1] for f in found])
        n = len(starts)
        scan = _ingest.Scan(n)
        cuts = _cuts(n, parts)
        texts = list(
            pool.map(
                lambda k: _ingest.scan(data, starts, ends, cuts[k], cuts[k + 1], limit, scan, tables),
                range(parts),
            )
        )
    frame = _frame(scan, texts)
    native = scan.rows["status"] == _ingest.OK
    if native.all():
        return frame
    rest = np.flatnonzero(~native)
    lines = [data[starts[k] : ends[k]].tobytes() for k in rest.tolist()]
    reference = checked(slow_lines(lines), 0).with_columns(pl.Series("line", rest + 1))
    reference = normalize(reference, today=day).select(frame.columns).cast(frame.schema)
    return pl.concat([frame.filter(pl.Series(native)), reference]).sort("line")


def write_records(frame: pl.DataFrame, out: IO[bytes]) -> bool:
    """``frame``'s (record_id, source, person_key, confidence) as NDJSON into ``out``, the bytes
    polars' writer gives, formatted by ``_ingest.record_blocks``; False (nothing written) when it
    cannot: a null, a confidence with more than four decimals."""
    cols = [frame.get_column(c) for c in ("record_id", "source", "person_key")]
    if frame.columns != ["record_id", "source", "person_key", "confidence"] or any(
        c.dtype != pl.String for c in cols
    ):
        return False
    confidence = np.ascontiguousarray(
        frame.get_column("confidence").cast(pl.Float64).fill_nan(-1.0).to_numpy()
    )
    columns = _ingest.RecordColumns(*cols)
    parts = 2
    cut = _cuts(len(confidence), parts)
    with ThreadPoolExecutor(parts) as pool:  # formatted on both cores, written in order
        blocks = list(
            pool.map(lambda k: _ingest.record_blocks(columns, confidence, cut[k], cut[k + 1]), range(parts))
        )
    if any(b is None for b in blocks):
        return False
    for part in blocks:
        for block in part:
            out.write(block)
    return True


def _cuts(n: int, parts: int) -> list[int]:
    """Where ``parts`` even ranges of 0..n start and end, one per thread."""
    return [n * k // parts for k in range(parts + 1)]


def _bytes(path: str | Path) -> NDArray[np.uint8]:
    """The file's bytes, mapped (and read ahead) rather than copied."""
    with open(path, "rb") as f:
        if os.fstat(f.fileno()).st_size == 0:
            return np.zeros(0, np.uint8)
        flags = mmap.MAP_PRIVATE | getattr(mmap, "MAP_POPULATE", 0)
        return np.frombuffer(mmap.mmap(f.fileno(), 0, flags=flags, prot=mmap.PROT_READ), np.uint8)


def _frame(scan: _ingest.Scan, texts: list[list[Any]]) -> pl.DataFrame:
    """Every line's columns (lines the scan handed over have nulls: ``read_normalised`` drops them)."""
    with ThreadPoolExecutor(2) as pool:  # polars takes each array over without the GIL
        series = pool.map(
            lambda k: pl.concat([pl.Series(part[k]) for part in texts], rechunk=False),
            range(len(_ingest.TEXTS)),
        )
        columns = {name: s.alias(name) for name, s in zip(_ingest.TEXTS, series, strict=True)}
    r = scan.rows
    ints = ("id_birth", "birth", "county", "township", "village")
    frame = pl.DataFrame(
        {
            "line": np.arange(1, scan.n + 1),
            "error": _errors(r["error"]),
            "_id_form": r["id_form"],
            "_id18_value": r["id18"],
            "_id18_known": r["id18_known"].astype(bool),
            "id_valid": r["id_valid"].astype(bool),
            "id_sex": r["id_sex"],
            "sex": r["sex"],
            **{c: r[c] for c in ints},
            **columns,
        }
    )
    nonzero = [pl.when(pl.col(c) != 0).then(pl.col(c)).alias(c) for c in (*ints, "id_sex", "sex")]
    other = np.flatnonzero(r["other_document"])  # numbers that are no ID: hashed (few of them)
    hashed = pl.select(other_document_number(pl.lit(columns["id_text"].gather(other)))).to_series()
    id18 = pl.when(pl.col("_id18_known")).then(pl.col("_id18_value")).alias("id18")
    frame = frame.with_columns(*nonzero, id18)
    frame = frame.with_columns(frame.get_column("id18").scatter(other, hashed)) if len(other) else frame
    return _other_names(frame).select(COLUMNS)


def _errors(codes: NDArray[np.uint8]) -> pl.Series:
    """The error codes as ``ndjson.ERRORS`` names them (null where none: nearly every record)."""
    out = pl.repeat(None, len(codes), dtype=pl.String, eager=True)
    bad = np.flatnonzero(codes)
    names = np.asarray(_ingest.ERROR_CODES, dtype=object)[codes[bad]]
    return out.scatter(bad, pl.Series(names.tolist(), dtype=pl.String)) if len(bad) else out


def _other_names(frame: pl.DataFrame) -> pl.DataFrame:
    """Names the compiled pass did not key (traditional characters, Latin script, dots …) keyed by
    ``names.name_table``, once per distinct name, and put in their rows."""
    plain = pl.col("name_simple").is_not_null()
    frame = frame.with_columns(pl.when(plain).then(False).alias("name_latin"))
    todo = frame.select(pl.arg_where(~plain & pl.col("name").is_not_null())).to_series()
    if len(todo) == 0:
        return frame
    names = frame.get_column("name").gather(todo)
    keys = names.to_frame().join(
        name_table(names.unique().to_list()), on="name", how="left", maintain_order="left"
    )
    return frame.with_columns(frame.get_column(c).scatter(todo, keys.get_column(c)) for c in NAME_KEYS)
