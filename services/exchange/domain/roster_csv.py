"""A roster sent as CSV, turned into the NDJSON lines of the roster contract as it streams in.

The header names the standard person record's fields (``record_id``, ``name``, ``id_number`` …);
``attributes.<key>`` columns become the record's ``attributes``; an empty cell is no value. For a
change upload an ``op`` column says ``upsert`` (the default) or ``delete``. UTF-8 (with or without
a byte-order mark) or GB18030, which spreadsheets in China often save: the first 64 KiB decide
(UTF-8 if they read as UTF-8); a file that turns out not to be UTF-8 after them is refused. A
quoted cell may hold line breaks.

Only a few lines are held at a time, whatever the size of the file.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from typing import Any

import orjson

ATTRIBUTES = "attributes."
SNIFF_BYTES = 64 * 1024


class CsvError(ValueError):
    """The CSV cannot be read at all (no header, undecodable): the upload is refused."""


class CsvToNdjson:
    def __init__(self, mode: str) -> None:
        self.mode = mode
        self._decoder: codecs.IncrementalDecoder | None = None
        self._raw = b""  # bytes before the encoding is known
        self._text = ""  # decoded, not yet a complete line
        self._pending: list[str] = []  # lines of a record whose quoted cell is still open
        self._header: list[str] | None = None
        self.line = 0  # CSV records read, header included

    def feed(self, block: bytes) -> list[bytes]:
        if self._decoder is None:
            self._raw += block
            if len(self._raw) < SNIFF_BYTES:
                return []
            self._decoder = _decoder_for(self._raw[: self._raw.rfind(b"\n") + 1] or self._raw)
            block, self._raw = self._raw, b""
        return self._decode(self._decoder, block, final=False)

    def close(self) -> list[bytes]:
        if self._decoder is None:
            self._decoder = _decoder_for(self._raw)
            block, self._raw = self._raw, b""
            out = self._decode(self._decoder, block, final=True)
        else:
            out = self._decode(self._decoder, b"", final=True)
        if self._text:
            out += self._records([self._text])
            self._text = ""
        if self._pending:  # an unclosed quote: let the record go as it is, matching reports it
            out += list(self._emit(self._pending))
            self._pending = []
        return out

    def _decode(self, decoder: codecs.IncrementalDecoder, block: bytes, final: bool) -> list[bytes]:
        try:
            self._text += decoder.decode(block, final=final)
        except UnicodeDecodeError as exc:
            raise CsvError(f"the file is not UTF-8 after line {self.line}") from exc
        *lines, self._text = self._text.split("\n")
        return list(self._records(lines))

    def _records(self, lines: list[str]) -> list[bytes]:
        return [out for line in lines for out in self._record(line)]

    def _record(self, line: str) -> Iterator[bytes]:
        self._pending.append(line)
        if sum(part.count('"') for part in self._pending) % 2 == 0:  # else a quoted cell goes on
            yield from self._emit(self._pending)
            self._pending = []

    def _emit(self, lines: list[str]) -> Iterator[bytes]:
        text = "\n".join(lines).rstrip("\r")
        if not text.strip():
            return
        cells = next(csv.reader([text]), [])
        self.line += 1
        if self._header is None:
            self._header = [c.strip().lstrip("\ufeff") for c in cells]
            if "record_id" not in self._header:
                raise CsvError("the header row must name a record_id column")
            return
        yield orjson.dumps(self._line(cells)) + b"\n"

    def _line(self, cells: list[str]) -> dict[str, Any]:
        assert self._header is not None
        record: dict[str, Any] = {}
        attributes: dict[str, Any] = {}
        for name, value in zip(self._header, cells, strict=False):
            if not name or value == "":
                continue
            if name.startswith(ATTRIBUTES):
                attributes[name.removeprefix(ATTRIBUTES)] = value
            else:
                record[name] = value
        if attributes:
            record["attributes"] = attributes
        if self.mode != "changes":
            return record
        op = str(record.pop("op", "upsert")).strip().lower()
        if op == "delete":
            return {"op": "delete", "record_id": record.get("record_id")}
        return {"op": op, "record": record}


def _decoder_for(sample: bytes) -> codecs.IncrementalDecoder:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(sample)  # not final: a cut character is fine
        except UnicodeDecodeError:
            continue
        return codecs.getincrementaldecoder(encoding)()
    raise CsvError("the file is neither UTF-8 nor GB18030")
