"""M5, the hard cases, through the batch run and the real-time index with the shipped model.

Twins and namesakes are never merged; every dirty form of an ID still links when name and birth
date agree; homophones, traditional characters and Latin-script names link; reviewers' decisions
are honoured.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import Any

import orjson
import polars as pl
import pytest

from services.matching.engine.batch import Decisions, DedupResult, dedup
from services.matching.engine.index import PersonIndex
from services.matching.engine.model import FellegiSunter
from services.matching.engine.ndjson import read_records
from services.matching.engine.normalize import normalize
from shared.codes.idnumber import check_character

MODEL = FellegiSunter.load()


def ident(born: date, seq: int, county: str = "440305") -> str:
    first17 = f"{county}{born:%Y%m%d}{seq:03d}"
    return first17 + check_character(first17)


def rec(rid: str, name: str, id_number: str | None, birth: str | None, **more: Any) -> dict[str, Any]:
    return {"record_id": rid, "source": more.pop("source", "mca.dibao"), "name": name, "id_number": id_number,
            "birth_date": birth, **more}  # fmt: skip


def run(records: Sequence[dict[str, Any]], decisions: Decisions | None = None) -> DedupResult:
    data = b"".join(orjson.dumps(r) + b"\n" for r in records)
    return dedup(read_records(io.BytesIO(data)), MODEL, decisions=decisions)


def persons(result: DedupResult) -> dict[str, str]:
    frame = result.records
    return dict(
        zip(frame.get_column("record_id").to_list(), frame.get_column("person_key").to_list(), strict=True)
    )


def same(result: DedupResult, *ids: str) -> bool:
    p = persons(result)
    return len({p[i] for i in ids}) == 1


def index_of(records: Sequence[dict[str, Any]]) -> PersonIndex:
    result = run(records)
    frame = normalize(pl.DataFrame(records, schema=dict.fromkeys(records[0], pl.String)))
    index = PersonIndex(MODEL)
    index.load(frame, [persons(result)[r["record_id"]] for r in records])
    return index


BORN = date(1958, 4, 9)
CLEAN = ident(BORN, 123)
WITH_X = next(ident(BORN, s) for s in range(200, 999) if ident(BORN, s).endswith("X"))
PERMIT = "830000" + "19700101" + "123"
PERMIT += check_character(PERMIT)
DIRTY_FORMS = {
    "lower_x": WITH_X.lower(),
    "full_width": "".join(chr(0xFF10 + int(c)) if c.isdigit() else "Ｘ" for c in CLEAN),
    "spaces": f"{CLEAN[:6]} {CLEAN[6:14]} {CLEAN[14:]}",
    "old_15": CLEAN[:6] + CLEAN[8:17],
    "disability_cert": CLEAN + "42B1",
    "typo": CLEAN[:15] + str((int(CLEAN[15]) + 3) % 10) + CLEAN[16:],
    "swapped": CLEAN[:8] + CLEAN[9] + CLEAN[8] + CLEAN[10:],
    "blank": "",
}


@pytest.mark.parametrize("form", DIRTY_FORMS)
def test_every_dirty_form_of_an_id_still_links(form: str) -> None:
    raw = DIRTY_FORMS[form]
    clean = WITH_X if form == "lower_x" else CLEAN
    records = [
        rec("clean", "黄建国", clean, "1958-04-09", sex="1", division_code="440305001"),
        rec("dirty", "黄建国", raw, "19580409", source="nhsa.medical_aid"),
        rec("other", "黄建军", ident(BORN, 135), "1958-04-09", sex="1", division_code="440305001"),
    ]
    result = run(records)
    assert same(result, "clean", "dirty")
    assert not same(result, "clean", "other")
    best = index_of(records[:1] + records[2:]).query(records[1])[0]
    assert best.linked and best.record == ("mca.dibao", "clean")


def test_twins_are_never_merged_even_when_one_record_has_no_id() -> None:
    born = date(2012, 6, 1)
    records = [
        rec(
            "a",
            "王浩宇",
            ident(born, 11),
            "2012-06-01",
            sex="1",
            division_code="440305001201",
            household_ref="h1",
        ),
        rec(
            "b",
            "王浩然",
            ident(born, 13),
            "2012-06-01",
            sex="1",
            division_code="440305001201",
            household_ref="h1",
        ),
        rec(
            "b2", "王浩然", None, "2012/6/1", sex="男", division_code="440305001201", source="moe.student_aid"
        ),
        rec("a2", "王浩宇", ident(born, 11), "20120601", source="moe.student_aid"),
    ]
    result = run(records)
    assert not same(result, "a", "b")
    assert same(result, "b", "b2") and same(result, "a", "a2")
    found = index_of(records[:2]).query(records[2])
    assert [c.record for c in found if c.linked] == [("mca.dibao", "b")]


def test_namesakes_are_never_merged_and_an_undecidable_record_goes_to_people() -> None:
    born = date(1975, 2, 3)
    records = [
        rec("x", "李秀英", ident(born, 42), "1975-02-03", sex="2", division_code="440305001201"),
        rec("y", "李秀英", ident(born, 88), "1975-02-03", sex="2", division_code="440305002205"),
        rec("z", "李秀英", None, "1975-02-03", sex="2", division_code="440305"),  # could be either
    ]
    result = run(records)
    p = persons(result)
    assert len({p["x"], p["y"], p["z"]}) == 3
    assert result.stats["ambiguous_records"] == 1
    grey = result.grey.get_column("record_id_a").to_list() + result.grey.get_column("record_id_b").to_list()
    assert "z" in grey


@pytest.mark.parametrize(
    ("a", "b"),
    [("张伟华", "張偉華"), ("李丽", "李莉"), ("陈明", "岑明"), ("阿依古丽·买买提", "阿依古丽买买提")],
)
def test_homophones_and_traditional_characters_link(a: str, b: str) -> None:
    records = [
        rec("1", a, ident(date(1966, 10, 12), 301), "1966-10-12", sex="2", division_code="440305001203"),
        rec("2", b, None, "1966年10月12日", sex="女", division_code="440305001203", source="cdpf.disability"),
    ]
    assert same(run(records), "1", "2")


def test_latin_names_are_compared_sensibly() -> None:
    records = [
        rec("1", "John Smith", PERMIT, "1970-01-01", sex="1"),
        rec("2", "SMITH, John", None, "1970/1/1", sex="1", source="nhsa.medical_aid"),
        rec("3", "Joan Smyth", None, "1970-01-01", sex="2", source="nhsa.medical_aid"),
        rec("4", "Nguyen Thi Lan", None, "1988-07-21", sex="2"),
        rec("5", "NGUYEN THI LAN", None, "1988-07-21", sex="2", source="moe.student_aid"),
    ]
    result = run(records)
    assert same(result, "1", "2") and same(result, "4", "5")
    assert not same(result, "1", "3")


def test_a_day_month_swap_links_but_a_different_day_does_not() -> None:
    records = [
        rec("1", "周杰", ident(date(1980, 3, 7), 55), "1980-03-07", sex="1", division_code="440305001"),
        rec("2", "周杰", None, "1980-07-03", sex="1", division_code="440305001"),
        rec("3", "周杰", None, "1980-03-19", sex="1", division_code="440305003"),
    ]
    result = run(records)
    assert same(result, "1", "2")
    assert not same(result, "1", "3")


def test_reviewers_decisions_are_honoured() -> None:
    records = [
        rec("1", "赵敏", ident(date(1990, 5, 5), 20), "1990-05-05", sex="2", division_code="440305001201"),
        rec("2", "赵敏", None, "1990-05-05", sex="2", division_code="440305001201"),
        rec("3", "赵小敏", None, "1991-01-01", sex="2"),
    ]
    assert same(run(records), "1", "2")
    apart = Decisions(cannot_link=[(("mca.dibao", "1"), ("mca.dibao", "2"))])
    assert not same(run(records, apart), "1", "2")
    together = Decisions(must_link=[(("mca.dibao", "1"), ("mca.dibao", "3"))])
    assert same(run(records, together), "1", "3")
