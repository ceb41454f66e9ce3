"""Reading standard person records from NDJSON in chunks, so a file of any size streams.

Each chunk of whole lines is parsed by polars in one go; a chunk that polars refuses (a line that
is not JSON, a number where a string belongs) is parsed line by line instead, so one bad line
costs only itself. Every record keeps its line number (``line``); a record that cannot be used
gets an ``error`` code naming the field, and the rest of the file goes on.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import orjson
import polars as pl

from services.matching.engine.normalize import RAW_SCHEMA, STRING_FIELDS

CHUNK_BYTES = 32 << 20
REQUIRED = ("record_id", "source", "name")
ERRORS = {
    "not_json": ("该行不是 JSON 对象", "the line is not a JSON object"),
    "record_id_missing": ("缺少 record_id", "record_id is missing"),
    "source_missing": ("缺少 source", "source is missing"),
    "name_missing": ("缺少姓名 name", "name is missing"),
}


def _lines(stream: IO[bytes], chunk_bytes: int) -> Iterator[bytes]:
    """Blocks of whole lines: a chunk, completed to the end of its last line."""
    while block := stream.read(chunk_bytes):
        if not block.endswith(b"\n"):
            block += stream.readline()
        yield block if block.endswith(b"\n") else block + b"\n"


def _as_text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool | dict | list):
        return orjson.dumps(value).decode()
    return str(value)


def _slow(chunk: bytes) -> pl.DataFrame:
    return slow_lines([line for line in chunk.splitlines() if line.strip()])


def slow_lines(lines: list[bytes]) -> pl.DataFrame:
    """Raw records (and ``_bad``) of lines parsed one by one with orjson: one row per line."""
    rows: dict[str, list[str | None]] = {f: [] for f in (*STRING_FIELDS, "_bad")}
    for line in lines:
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError:
            record = None
        ok = isinstance(record, dict)
        for f in STRING_FIELDS:
            rows[f].append(_as_text(record.get(f)) if isinstance(record, dict) else None)
        rows["_bad"].append(None if ok else "not_json")
    return pl.DataFrame(rows, schema={**RAW_SCHEMA, "_bad": pl.String})


def _parse(chunk: bytes) -> pl.DataFrame:
    try:
        frame = pl.read_ndjson(chunk, schema=RAW_SCHEMA, ignore_errors=False)
    except Exception:  # polars raises several error types for bad lines; fall back per line
        return _slow(chunk)
    if frame.height != chunk.count(b"\n"):  # blank lines: let the line-by-line reader count them
        return _slow(chunk)
    return frame.with_columns(pl.lit(None, pl.String).alias("_bad"))


def checked(frame: pl.DataFrame, before: int) -> pl.DataFrame:
    """``frame`` with its ``line`` numbers (after ``before`` lines) and each record's ``error``."""
    missing = [
        pl.when(pl.col(f).is_null() | (pl.col(f).str.strip_chars() == "")).then(pl.lit(f"{f}_missing"))
        for f in REQUIRED
    ]
    return frame.with_columns(
        (pl.int_range(pl.len(), dtype=pl.Int64) + before + 1).alias("line"),
        pl.coalesce("_bad", *missing).alias("error"),
    ).drop("_bad")


def read_records(stream: IO[bytes], *, chunk_bytes: int = CHUNK_BYTES) -> Iterator[pl.DataFrame]:
    """Frames of raw records with ``line`` (1-based, blank lines not counted) and ``error``."""
    line = 0
    for chunk in _lines(stream, chunk_bytes):
        frame = checked(_parse(chunk), line)
        line += frame.height
        yield frame


def read_file(path: str | Path) -> Iterator[pl.DataFrame]:
    """``read_records`` of a file, faster: polars reads a clean file whole, on both cores.

    A file with any bad line or incomplete record goes through ``read_records`` instead, so every
    error keeps its exact line number.
    """
    try:
        frame = pl.read_ndjson(path, schema=RAW_SCHEMA, ignore_errors=False)
    except Exception:  # polars raises several error types for bad lines
        frame = None
    if frame is not None:
        frame = checked(frame.with_columns(pl.lit(None, pl.String).alias("_bad")), 0)
        if frame.get_column("error").null_count() == frame.height:
            yield frame
            return
    with open(path, "rb") as stream:
        yield from read_records(stream)
