"""The in-memory store of current records that real-time checks read: by person, by ID number, by
household; replaced, ended and moved records leave no trace behind."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from services.matching.domain.fact_store import FactStore, Row


def row(record_id: str, person: str | None, **kw: Any) -> Row:
    values: dict[str, Any] = dict.fromkeys(Row._fields)
    values.update(source="mca.dibao", record_id=record_id, person_id=person, active=True, programme="dibao")
    values.update(kw)
    return Row(**values)


def refs(facts: list[Any]) -> list[str]:
    return sorted(f.record_id for f in facts)


def test_records_by_person_id_number_and_household() -> None:
    store = FactStore()
    store.put(row("a1", "P1", id18="110101195808080017", household_ref="h1", start_date=date(2023, 5, 1)))
    store.put(row("a2", "P2", household_ref="h1"))
    store.put(row("a3", "P3", household_ref="h2"))
    store.put(row("b1", None, id18="110101195808080017", source="hrss.pension"))  # not resolved yet
    assert refs(store.of("P1")) == ["a1"]
    assert refs(store.with_id18("110101195808080017")) == ["a1", "b1"]
    assert refs(store.housemates(["P1"])) == ["a2"]
    assert refs(store.housemates(["P1", "P2"])) == []  # the persons themselves are not their mates
    [fact] = store.of("P1")
    assert (fact.household, fact.start, fact.id18) == ("mca.dibao:h1", date(2023, 5, 1), "110101195808080017")
    assert len(store) == 4


def test_a_record_replaced_ended_or_moved_leaves_nothing_behind() -> None:
    store = FactStore()
    store.put(row("a1", "P1", id18="110101195808080017", household_ref="h1"))
    store.put(row("a2", "P2", household_ref="h1"))
    store.put(row("a1", "P9", id18="110101195808080025", household_ref="h2"))  # moved person and home
    assert store.of("P1") == [] and store.with_id18("110101195808080017") == []
    assert refs(store.of("P9")) == ["a1"] and refs(store.with_id18("110101195808080025")) == ["a1"]
    assert store.housemates(["P2"]) == []
    store.put(row("a1", "P9", active=False))  # ended by a snapshot
    assert store.of("P9") == [] and store.with_id18("110101195808080025") == [] and len(store) == 1
    store.drop(("mca.dibao", "a2"))
    store.drop(("mca.dibao", "never"))
    assert len(store) == 0 and store.of("P2") == []


def test_a_person_stays_in_a_household_while_any_of_their_records_is_in_it() -> None:
    store = FactStore()
    store.put(row("a1", "P1", household_ref="h1"))
    store.put(row("a2", "P1", household_ref="h1", programme="linshi"))
    store.put(row("a3", "P2", household_ref="h1"))
    store.drop(("mca.dibao", "a1"))
    assert refs(store.housemates(["P2"])) == ["a2"]
    store.drop(("mca.dibao", "a2"))
    assert store.housemates(["P2"]) == []


def test_equal_values_are_held_once() -> None:
    store = FactStore()
    for i in range(3):  # each value a new object, as read from the database
        division = "".join(["330106", "001"])
        store.put(
            row(
                f"a{i}",
                f"P{i}",
                start_date=date(2023, 5, 1),
                amount=Decimal("612.00"),
                division_code=division,
            )
        )
    first, *others = [f for p in ("P0", "P1", "P2") for f in store.of(p)]
    for f in others:
        assert f.start is first.start and f.amount is first.amount and f.division is first.division
