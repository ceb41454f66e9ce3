"""Every current (active) record as the rules see it, in memory: what a real-time check reads.

The person index answers *who* a member is; this store answers what those persons already receive
and who lives with them, without a database round trip. It holds one ``Fact`` per active record,
reachable by person, by valid ID number (records not resolved yet are found that way too) and by
household. Ended records are not kept: the duplicate rules a check runs look at current aid only
(the missed-aid rules, which look at ended aid, run over the database).

Memory is kept down by sharing equal values: sources, programmes, statuses, division codes,
dates and amounts repeat across a million records, and each distinct value is held once.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any, NamedTuple

from services.matching.domain.rules import Fact, Ref

NOTHING: Mapping[str, Any] = MappingProxyType({})


class Row(NamedTuple):
    """One stored record, as the store takes it (the columns of ``mt_record`` it needs)."""

    source: str
    record_id: str
    person_id: str | None
    active: bool
    id18: str | None
    programme: str | None
    status: str | None
    start_date: date | None
    end_date: date | None
    amount: Decimal | None
    attributes: Mapping[str, Any] | None
    division_code: str | None
    household_ref: str | None
    born: date | None


ROW_COLUMNS = Row._fields


class FactStore:
    def __init__(self) -> None:
        self._facts: dict[Ref, Fact] = {}
        self._by_person: dict[str, list[Fact]] = {}
        self._by_id18: dict[str, list[Fact]] = {}
        self._by_home: dict[str, list[str]] = {}  # "source:household_ref" → persons
        self._shared: dict[Any, Any] = {}

    def __len__(self) -> int:
        return len(self._facts)

    def _one(self, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, str):
            return sys.intern(value)
        return self._shared.setdefault(value, value)

    def put(self, row: Row) -> None:
        """Add or replace a record (an inactive one is dropped)."""
        ref = (row.source, row.record_id)
        self.drop(ref)
        if not row.active:
            return
        one = self._one
        fact = Fact(
            source=one(row.source),
            record_id=row.record_id,
            person=row.person_id or "",
            programme=one(row.programme),
            status=one(row.status),
            active=True,
            start=one(row.start_date),
            end=one(row.end_date),
            amount=one(row.amount),
            attributes=row.attributes or NOTHING,
            division=one(row.division_code),
            household=sys.intern(f"{row.source}:{row.household_ref}") if row.household_ref else None,
            born=one(row.born),
            id18=row.id18,
        )
        self._facts[ref] = fact
        if fact.person:
            self._by_person.setdefault(fact.person, []).append(fact)
            if fact.household:
                home = self._by_home.setdefault(fact.household, [])
                if fact.person not in home:
                    home.append(fact.person)
        if fact.id18:
            self._by_id18.setdefault(fact.id18, []).append(fact)

    def drop(self, ref: Ref) -> None:
        fact = self._facts.pop(ref, None)
        if fact is None:
            return
        if fact.person:
            _remove(self._by_person, fact.person, fact)
            if fact.household and not any(f.household == fact.household for f in self.of(fact.person)):
                _discard(self._by_home, fact.household, fact.person)
        if fact.id18:
            _remove(self._by_id18, fact.id18, fact)

    def of(self, person: str) -> list[Fact]:
        return list(self._by_person.get(person, ()))

    def of_persons(self, persons: Iterable[str]) -> list[Fact]:
        return [f for p in persons for f in self._by_person.get(p, ())]

    def with_id18(self, id18: str) -> list[Fact]:
        """The current records with this valid ID number, resolved or not."""
        return list(self._by_id18.get(id18, ()))

    def housemates(self, persons: Iterable[str]) -> list[Fact]:
        """Every record of everyone else who shares a household with these persons."""
        persons = set(persons)
        homes = {f.household for p in persons for f in self._by_person.get(p, ()) if f.household}
        mates = {m for h in homes for m in self._by_home.get(h, ())} - persons
        return self.of_persons(sorted(mates))


def _remove(table: dict[str, list[Fact]], key: str, fact: Fact) -> None:
    held = table.get(key)
    if held is None:
        return
    held[:] = [f for f in held if f is not fact]
    if not held:
        del table[key]


def _discard(table: dict[str, list[str]], key: str, value: str) -> None:
    held = table.get(key)
    if held is not None and value in held:
        held.remove(value)
        if not held:
            del table[key]
