"""The real-time index: add, remove and query, and the same answers as the batch."""

from __future__ import annotations

from datetime import date

from services.matching.engine.index import PersonIndex
from tests.unit.test_matching_hard_cases import MODEL, ident, index_of, rec

ID = ident(date(1958, 4, 9), 17)
BASE = [
    rec("d1", "黄桂兰", ID, "1958-04-09", sex="2", division_code="440305001201"),
    rec("o1", "王建国", ident(date(1961, 1, 2), 33), "1961-01-02", sex="1", division_code="440305001201"),
]


def linked(index: PersonIndex, record: dict) -> list[tuple[str, str]]:
    return [c.record for c in index.query(record) if c.linked]


def test_a_record_added_later_is_found_and_a_removed_one_is_not() -> None:
    index = index_of(BASE)
    query = rec(
        "q", "黃桂蘭", None, "1958/4/9", sex="女", division_code="440305001201", source="nhsa.medical_aid"
    )
    assert linked(index, query) == [("mca.dibao", "d1")]
    person = index.query(query)[0].person_key
    later = rec(
        "p1", "黄桂兰", ID[:-2] + ID[-1] + ID[-2], "19580409", source="mohrss.pension"
    )  # swapped digits
    index.add(later, person)
    assert len(index) == 3 and index.persons() == 2
    found = index.query(rec("q2", "黄桂兰", ID, None, source="moe.student_aid"))
    assert found[0].person_key == person and found[0].linked
    assert index.remove("mca.dibao", "d1") and not index.remove("mca.dibao", "d1")
    assert linked(index, query) == [("mohrss.pension", "p1")]  # the person is still known by p1
    assert index.remove("mohrss.pension", "p1")
    assert linked(index, query) == [] and len(index) == 1


def test_adding_a_record_again_replaces_it() -> None:
    index = index_of(BASE)
    moved = rec("o1", "王建国", ident(date(1961, 1, 2), 33), "1961-01-02", sex="1", division_code="431122100")
    index.add(moved, "Pmoved")
    assert len(index) == 2
    (best,) = [c for c in index.query(moved) if c.linked]
    assert best.person_key == "Pmoved" and best.record == ("mca.dibao", "o1")
    assert {e["code"] for e in best.evidence} >= {"id_exact", "name_exact", "birth_exact"}


def test_an_empty_index_answers_nothing() -> None:
    assert PersonIndex(MODEL).query(BASE[0]) == []
