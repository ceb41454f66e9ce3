"""``snx match dedup`` as a user runs it: a real process, NDJSON in and out, progress on stderr."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import orjson
import pytest

from tests.unit.test_matching_hard_cases import ident, rec

SNX = [sys.executable, "-m", "shared.cli"]
ID = ident(date(1962, 9, 27), 41)
TWIN_A, TWIN_B = ident(date(1990, 3, 5), 11), ident(date(1990, 3, 5), 22)
RECORDS = [
    rec("d1", "张伟华", ID, "1962-09-27", sex="1", division_code="440305001"),
    rec("p1", "張偉華", ID[:6] + " " + ID[6:14] + " " + ID[14:], "19620927", source="mohrss.pension"),
    rec("m1", "张伟华", ID[:-2] + ID[-1] + ID[-2], "1962/9/27", source="nhsa.medical_aid"),  # swapped digits
    rec("t1", "李娜", TWIN_A, "1990-03-05", division_code="440305001"),
    rec("t2", "李娜", TWIN_B, "1990-03-05", division_code="440305001"),
]


def _run(args: list[str], stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    root = Path(__file__).resolve().parents[2]
    return subprocess.run(
        [*SNX, "match", "dedup", *args], input=stdin, capture_output=True, cwd=root, timeout=120
    )


def _lines(data: bytes) -> list[dict]:
    return [orjson.loads(line) for line in data.splitlines()]


def test_one_line_per_record_in_order_with_persons_and_confidence(tmp_path: Path) -> None:
    source, out = tmp_path / "in.ndjson", tmp_path / "out.ndjson"
    source.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in RECORDS))
    done = _run(["--input", str(source), "--output", str(out)])
    assert done.returncode == 0, done.stderr.decode()
    lines = _lines(out.read_bytes())
    assert [x["record_id"] for x in lines] == [r["record_id"] for r in RECORDS]
    key = {x["record_id"]: x["person_key"] for x in lines}
    assert key["d1"] == key["p1"] == key["m1"] and key["t1"] != key["t2"] and key["t1"] != key["d1"]
    assert all(0 <= x["confidence"] <= 1 for x in lines) and all(
        x["person_key"].startswith("P") for x in lines
    )
    assert ID not in out.read_text()  # the output names persons by pseudonym, not by ID number
    assert b"5 records" in done.stderr and b"persons" in done.stderr  # progress and summary on stderr


def test_explain_streams_through_stdin_and_stdout_with_evidence_in_two_languages() -> None:
    data = b"".join(orjson.dumps(r) + b"\n" for r in RECORDS)
    done = _run(["--input", "-", "--output", "-", "--explain"], stdin=data)
    assert done.returncode == 0, done.stderr.decode()
    lines = {x["record_id"]: x for x in _lines(done.stdout)}
    evidence = lines["m1"]["evidence"]
    assert evidence["linked"] and evidence["partner"]["record_id"] in {"d1", "p1"}
    codes = {f["code"]: f for f in evidence["fields"]}
    assert "id_repaired" in codes or "id_exact" in codes
    assert all(f["zh"] and f["en"] for f in evidence["fields"])
    assert lines["t1"]["evidence"] is None  # twins: two valid IDs, never even a candidate pair


@pytest.mark.parametrize(
    ("line", "code"),
    [(b"{not json", "not_json"), (b'{"source": "mca.dibao", "name": "x"}', "record_id_missing"),
     (b'{"record_id": "r9", "source": "mca.dibao", "name": " "}', "name_missing"), (b"[1, 2]", "not_json")],
)  # fmt: skip
def test_a_bad_line_gets_an_error_naming_the_field_and_the_rest_goes_on(line: bytes, code: str) -> None:
    data = orjson.dumps(RECORDS[0]) + b"\n" + line + b"\n" + orjson.dumps(RECORDS[1]) + b"\n"
    done = _run(["--input", "-", "--output", "-"], stdin=data)
    assert done.returncode == 0, done.stderr.decode()
    first, bad, last = _lines(done.stdout)
    assert (
        bad["line"] == 2 and bad["error"]["code"] == code and bad["error"]["zh"] and "person_key" not in bad
    )
    assert first["person_key"] == last["person_key"]


@pytest.mark.parametrize("data", [b"", b"\n\n", b"{not json\n[1]\n"])
def test_a_file_without_a_usable_record_is_no_error(data: bytes) -> None:
    done = _run(["--input", "-", "--output", "-"], stdin=data)
    assert done.returncode == 0, done.stderr.decode()
    assert [x["error"]["code"] for x in _lines(done.stdout)] == ["not_json"] * data.count(b"\n") * (
        b"{" in data
    )


def test_grey_zone_and_reviewers_decisions_through_the_command_line(tmp_path: Path) -> None:
    born = date(1975, 2, 3)
    records = [
        rec("x", "李秀英", ident(born, 42), "1975-02-03", sex="2", division_code="440305001201"),
        rec("y", "李秀英", ident(born, 88), "1975-02-03", sex="2", division_code="440305002205"),
        rec("z", "李秀英", None, "1975-02-03", sex="2", division_code="440305"),  # could be either
    ]
    source, grey = tmp_path / "in.ndjson", tmp_path / "grey.ndjson"
    source.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    done = _run(["--input", str(source), "--output", "-", "--grey", str(grey)])
    key = {x["record_id"]: x["person_key"] for x in _lines(done.stdout)}
    assert len(set(key.values())) == 3
    waiting = _lines(grey.read_bytes())
    assert {(g["record_id_a"], g["record_id_b"]) for g in waiting if g["reason"] == "ambiguous"} >= {
        ("x", "z")
    }
    decided = tmp_path / "decisions.ndjson"  # a reviewer: z is y
    z, y = {"source": "mca.dibao", "record_id": "z"}, {"source": "mca.dibao", "record_id": "y"}
    decided.write_bytes(orjson.dumps({"a": z, "b": y, "decision": "same_person"}) + b"\n")
    done = _run(["--input", str(source), "--output", "-", "--decisions", str(decided)])
    key = {x["record_id"]: x["person_key"] for x in _lines(done.stdout)}
    assert key["z"] == key["y"] != key["x"]
