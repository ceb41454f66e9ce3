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
import threading
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
    with ThreadPoolExecutor(parts) as pool:  # lines found on every core
        cut = [len(data) * k // parts for k in range(parts + 1)]
        bounds = list(pool.map(lambda k: _ingest.line_bounds(data, cut[k], cut[k + 1]), range(parts)))
    starts = np.concatenate([b[0] for b in bounds])
    ends = np.concatenate([b[1] for b in bounds])
    n = len(starts)
    scan = _ingest.Scan(n)
    cuts = [n * k // parts for k in range(parts + 1)]
    workers = [
        threading.Thread(target=_ingest.scan, args=(data, starts, ends, cuts[k], cuts[k + 1], limit, scan))
        for k in range(parts)
    ]
    for w in workers:
        w.start()
    plain_tables()  # built once per process, while the scan runs without the GIL
    for w in workers:
        w.join()
    native = np.flatnonzero(scan.rows["status"] == _ingest.OK)
    frame = _frame(data, scan, native)
    if len(native) == n:
        return frame
    rest = np.flatnonzero(scan.rows["status"] != _ingest.OK)
    lines = [data[starts[k] : ends[k]].tobytes() for k in rest.tolist()]
    reference = checked(slow_lines(lines), 0).with_columns(pl.Series("line", rest + 1))
    reference = normalize(reference, today=day).select(frame.columns).cast(frame.schema)
    return pl.concat([frame, reference]).sort("line")


def write_records(frame: pl.DataFrame, out: IO[bytes]) -> bool:
    """``frame``'s (record_id, source, person_key, confidence) as NDJSON into ``out``, the bytes
    polars' writer gives, formatted by ``_ingest.record_lines``; False (nothing written) when it
    cannot: a null, a confidence with more than four decimals."""
    cols = [frame.get_column(c) for c in ("record_id", "source", "person_key")]
    if frame.columns != ["record_id", "source", "person_key", "confidence"] or any(
        c.dtype != pl.String for c in cols
    ):
        return False
    confidence = np.ascontiguousarray(
        frame.get_column("confidence").cast(pl.Float64).fill_nan(-1.0).to_numpy()
    )
    return bool(_ingest.record_lines(*cols, confidence, out.write))


def _bytes(path: str | Path) -> NDArray[np.uint8]:
    """The file's bytes, mapped (and read ahead) rather than copied."""
    with open(path, "rb") as f:
        if os.fstat(f.fileno()).st_size == 0:
            return np.zeros(0, np.uint8)
        flags = mmap.MAP_PRIVATE | getattr(mmap, "MAP_POPULATE", 0)
        return np.frombuffer(mmap.mmap(f.fileno(), 0, flags=flags, prot=mmap.PROT_READ), np.uint8)


def _text(base: NDArray[np.uint8], start: NDArray[np.int64], size: NDArray[np.int32], rows: I64) -> pl.Series:
    """The byte spans (start, size) of ``rows`` as strings, null where size < 0 (no copy in Python)."""
    return pl.Series(_ingest.arrow_strings(base, start, size, rows))


def _frame(data: NDArray[np.uint8], scan: _ingest.Scan, rows: I64) -> pl.DataFrame:
    r = scan.rows if len(rows) == scan.n else {k: v[rows] for k, v in scan.rows.items()}
    slot = _ingest.FIELD_SLOTS
    n_all = scan.n
    id_size = np.where(scan.rows["id_null"] == 1, -1, scan.rows["id_len"].astype(np.int32))
    id18_size = np.where(scan.rows["id18_null"] == 1, -1, 18).astype(np.int32)
    spans = {
        f: (data, scan.start[:, slot[f]], scan.size[:, slot[f]]) for f in ("source", "record_id", "name")
    }
    spans["id_text"] = (scan.ids.reshape(-1), np.arange(n_all) * _ingest.ID_WIDTH_BYTES, id_size)
    spans["_id18"] = (scan.ids18.reshape(-1), np.arange(n_all) * 18, id18_size)
    with ThreadPoolExecutor(2) as pool:  # the compiled loops let go of the GIL: both cores work
        tables = plain_tables()
        half = len(rows) // 2
        names = [pool.submit(_name_keys, data, scan, part, tables) for part in (rows[:half], rows[half:])]
        texts = {c: pool.submit(_text, *span, rows) for c, span in spans.items()}
        ints = ("id_birth", "birth", "county", "township", "village")
        numbers = {
            "line": rows + 1,
            "error": pl.Series(r["error"]).replace_strict(
                dict(enumerate(_ingest.ERROR_CODES)), return_dtype=pl.String
            ),
            "_id_form": r["id_form"],
            "_id18_value": r["id18"],
            "_id18_known": r["id18_null"] == 0,
            "_other": r["other_document"].astype(bool),
            "id_valid": r["id_valid"].astype(bool),
            "id_sex": r["id_sex"],
            "sex": r["sex"],
            **{c: r[c] for c in ints},
        }
        frame = pl.DataFrame({**numbers, **{c: t.result() for c, t in texts.items()}})
        keys = [pl.concat(two) for two in zip(names[0].result(), names[1].result(), strict=True)]
    nonzero = [pl.when(pl.col(c) != 0).then(pl.col(c)).alias(c) for c in (*ints, "id_sex", "sex")]
    id18 = (
        pl.when(pl.col("_other"))
        .then(other_document_number(pl.col("id_text")))
        .when(pl.col("_id18_known"))
        .then(pl.col("_id18_value"))
        .alias("id18")
    )
    return _other_names(frame.with_columns(*nonzero, id18, *keys)).select(COLUMNS)


def _name_keys(data: NDArray[np.uint8], scan: _ingest.Scan, rows: I64, tables: Any) -> list[pl.Series]:
    """The keys of plain Chinese names, compiled (``_ingest.name_keys``); null for the others."""
    start, size = scan.start[:, _ingest.FIELD_SLOTS["name"]], scan.size[:, _ingest.FIELD_SLOTS["name"]]
    if len(rows) == 0:
        return [pl.Series(c, [], pl.String) for c in NAME_KEYS[:3]]
    keys = _ingest.name_keys(data, start, size, rows, *tables)
    return [pl.Series(k).alias(c) for c, k in zip(NAME_KEYS[:3], keys, strict=True)]


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
