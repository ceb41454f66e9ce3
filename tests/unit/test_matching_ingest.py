"""The compiled reader (``ingest.read_normalised``) gives what ``read_file`` + ``normalize`` give.

Every record is written as a line of NDJSON — most as a clean flat object, some with escapes,
numbers where text belongs, nested values, broken JSON or invalid UTF-8, so that
both the compiled path and its hand-over to the reference are exercised — and the two readers'
frames must be equal, column by column, record by record.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from services.matching.engine import ingest
from services.matching.engine.names import plain_tables
from services.matching.engine.ndjson import read_file
from services.matching.engine.normalize import normalize
from tests.unit.test_matching_normalize import TODAY, births, dirty_ids, names

pytestmark = pytest.mark.skipif(not ingest.available(), reason="the compiled reader is not built")

texts = st.one_of(st.none(), st.sampled_from(["", " ", "\u3000", "a", "低保-001"]), st.text(max_size=6))
records = st.fixed_dictionaries(
    {
        "record_id": st.one_of(texts, st.from_regex(r"[a-z]{2,6}-[0-9]{1,9}", fullmatch=True)),
        "source": st.one_of(texts, st.sampled_from(["mca.dibao", "mohrss.pension"])),
        "id_number": dirty_ids(),
        "name": st.one_of(
            names,
            st.sampled_from(
                ["沈香菊", "欧阳娜娜", "欧阳", "长孙无忌", "单于兰", "曾", "乐乐", "瀋陽", "张 伟", "王二小"]
            ),
            st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x4F00), min_size=1, max_size=7),
        ),
        "birth_date": st.one_of(
            births,
            st.sampled_from(
                ["１９９０－０１－０２", " 1990/1/2 ", "1990年01月02日 ", "1990 1 2", "19900230"]
            ),
        ),
        "sex": st.one_of(
            st.none(), st.sampled_from(["1", "2", "男", "女", " M ", "FEMALE", "\u3000男", "Ｍ", "9"])
        ),
        "division_code": st.one_of(
            st.none(),
            st.sampled_from(["110105", "110105001201", "1101０5001", "110105000000"]),
            st.text(max_size=13),
        ),
        "address": st.one_of(st.none(), st.text(max_size=10)),
    }
)
# How a line is written: most clean, the rest each something the compiled pass hands over.
FORMS = ["clean"] * 6 + ["ascii", "number", "nested", "spaced", "not_json", "bad_utf8", "blank"]


def _line(record: dict[str, Any], form: str) -> bytes:
    if form == "ascii":  # every non-ASCII character escaped, as json.dumps writes by default
        return json.dumps(record).encode()
    if form == "number":
        return orjson.dumps({**record, "sex": 1, "amount": 12.5})
    if form == "nested":
        return orjson.dumps({**record, "extra": {"a": [1, 2]}})
    if form == "spaced":
        return (
            b" "
            + json.dumps(record, ensure_ascii=False, indent=None, separators=(" , ", " : ")).encode()
            + b" "
        )
    if form == "not_json":
        return orjson.dumps(record)[:-1]
    if form == "bad_utf8":
        return orjson.dumps(record)[:-2] + b'\xff"}'
    if form == "blank":
        return b"  \t"
    return orjson.dumps(record)


def _reference(path: Path) -> pl.DataFrame:
    raw = pl.concat(list(read_file(path)))
    usable = normalize(raw.filter(pl.col("error").is_null()), today=TODAY)
    refused = raw.filter(pl.col("error").is_not_null()).select("line", "source", "record_id", "error")
    return pl.concat([refused, usable], how="diagonal_relaxed").sort("line")


def _same(path: Path) -> None:
    got = ingest.read_normalised(path, today=TODAY)
    want = _reference(path).select(ingest.COLUMNS).cast(got.schema)
    assert_frame_equal(got.select("line", "source", "record_id", "error"), want.select(got.columns[:4]))
    usable = pl.col("error").is_null()
    assert_frame_equal(got.filter(usable), want.filter(usable))


@settings(max_examples=120, deadline=None)
@given(st.lists(st.tuples(records, st.sampled_from(FORMS)), min_size=1, max_size=30))
def test_the_compiled_reader_and_the_reference_agree(tmp_path_factory: Any, lines: list[Any]) -> None:
    path = tmp_path_factory.mktemp("ingest") / "records.ndjson"
    path.write_bytes(b"\n".join(_line(r, f) for r, f in lines) + b"\n")
    _same(path)


def test_a_clean_file_is_read_by_the_compiled_pass_alone(tmp_path: Path) -> None:
    rows = [
        {"record_id": f"r{k}", "source": "s", "id_number": "11010519491231002X", "name": "张伟", "sex": "女"}
        for k in range(50)
    ]
    path = tmp_path / "clean.ndjson"
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    data = ingest._bytes(path)
    starts, ends = ingest._ingest.line_bounds(data)
    scan = ingest._ingest.Scan(len(starts))
    ingest._ingest.scan(data, starts, ends, 0, len(starts), 20261124, scan, plain_tables())
    assert (scan.rows["status"] == ingest._ingest.OK).all()  # nothing handed to the reference
    assert scan.rows["id_valid"].all() and (scan.rows["id_birth"] == 19491231).all()
    _same(path)


def test_the_last_line_needs_no_newline_and_an_empty_file_gives_no_records(tmp_path: Path) -> None:
    path = tmp_path / "a.ndjson"
    path.write_bytes(
        b'{"record_id":"1","source":"s","name":"x"}\n\n{"record_id":"2","source":"s","name":"y"}'
    )
    got = ingest.read_normalised(path, today=TODAY)
    assert got.get_column("line").to_list() == [1, 2]  # blank lines are not counted
    assert got.get_column("record_id").to_list() == ["1", "2"]
    empty = tmp_path / "empty.ndjson"
    empty.write_bytes(b"")
    assert ingest.read_normalised(empty, today=TODAY).height == 0


def test_a_repeated_field_counts_as_its_last_value(tmp_path: Path) -> None:
    """As orjson, json and browsers read it (polars' whole-file reader keeps the first one)."""
    path = tmp_path / "a.ndjson"
    path.write_bytes(
        '{"record_id":"1","source":"s","name":null,"sex":"1","name":"李四","sex":"女"}\n'.encode()
    )
    got = ingest.read_normalised(path, today=TODAY).row(0, named=True)
    assert (got["error"], got["name"], got["sex"]) == (None, "李四", 2)


def test_arrow_strings_keep_nulls_empties_and_order() -> None:
    base = np.frombuffer("你好 world".encode(), np.uint8)
    start = np.array([0, 7, 0, 3], np.int64)
    size = np.array([6, 5, -1, 0], np.int32)
    series = pl.Series(ingest._ingest.arrow_strings(base, start, size, np.array([3, 2, 1, 0])))
    assert series.to_list() == ["", None, "world", "你好"]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.text(max_size=20), st.text(max_size=8), st.text(max_size=17), st.floats(0, 1)),
        min_size=1,
        max_size=40,
    ),
    st.booleans(),
)
def test_the_compiled_lines_are_polars_lines(rows: list[tuple[str, str, str, float]], rounded: bool) -> None:
    frame = pl.DataFrame(rows, schema=["record_id", "source", "person_key", "confidence"], orient="row")
    if rounded:  # as the batch writes it
        frame = frame.with_columns(pl.col("confidence").round(4))
    polars_bytes = io.BytesIO()
    frame.write_ndjson(polars_bytes)
    got = io.BytesIO()
    written = ingest.write_records(frame, got)
    assert got.getvalue() == polars_bytes.getvalue() if written else (got.getvalue() == b"" and not rounded)


def test_every_kind_of_byte_at_every_place_of_a_long_string(tmp_path: Path) -> None:
    """The reader looks at sixteen bytes at a time: whatever sits across such a boundary still
    goes where the reference says (a clean line stays, a bad one is refused or handed over)."""
    base = b'{"record_id":"r%d","source":"s","name":"\xe5\xbc\xa0\xe4\xbc\x9f","address":"%s","sex":"%s"}'
    inserts = [
        b'\\"',
        b"\x01",
        b"\x1f",
        b"\xff",
        b"\xc3\xa9",
        b"\xe4\xb8\xad",
        b"\xf0\x9f\x98\x80",
        b"\xed\xa0\x80",
        b"\x7f",
        b"\xe4\xb8",
    ]
    lines = []
    for at in range(40):
        for k, piece in enumerate(inserts):
            text = b"a" * at + piece + b"b" * (40 - at)
            lines.append(base % (len(lines), text, b"1" if k % 2 else "男".encode()))
    path = tmp_path / "long.ndjson"
    path.write_bytes(b"\n".join(lines) + b"\n")
    _same(path)
    errors = ingest.read_normalised(path, today=TODAY).get_column("error")
    assert 0 < errors.is_not_null().sum() < len(lines)  # some lines refused, most read
