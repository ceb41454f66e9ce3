"""The working-day clock: deadlines in working days, from a holiday calendar that is configuration.

China's calendar moves: statutory holidays fall on weekdays, and some weekends become working days
(调休). A ``WorkingCalendar`` holds both lists; the shipped one covers the published national
arrangements and a deployment replaces it (setting ``INTAKE_HOLIDAY_CALENDAR``) [cfg].
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

ONE_DAY = timedelta(days=1)
KEYS = ("holidays", "workdays")


def _dates(entries: Any, key: str) -> frozenset[date]:
    if entries is None:
        return frozenset()
    if not isinstance(entries, list | tuple | set | frozenset):
        raise ValueError(f"{key}: expected a list of dates or ranges, got {entries!r}")
    out: set[date] = set()
    for entry in entries:
        text = entry.isoformat() if isinstance(entry, date) else str(entry).strip()
        try:
            first, _, last = text.partition("..")
            start = date.fromisoformat(first.strip())
            end = date.fromisoformat(last.strip()) if last else start
        except ValueError as exc:
            raise ValueError(
                f"{key}: {entry!r} is not a date (YYYY-MM-DD) or range (YYYY-MM-DD..YYYY-MM-DD)"
            ) from exc
        if end < start:
            raise ValueError(f"{key}: {entry!r} ends before it starts")
        while start <= end:
            out.add(start)
            start += ONE_DAY
    return frozenset(out)


@dataclass(frozen=True)
class WorkingCalendar:
    holidays: frozenset[date] = frozenset()  # days off that fall on weekdays
    workdays: frozenset[date] = frozenset()  # 调休: weekend days that are working days
    name: str = ""

    def is_working_day(self, d: date) -> bool:
        if d.weekday() >= 5:
            return d in self.workdays
        return d not in self.holidays

    def add_working_days(self, start: date, n: int) -> date:
        """The day ``n`` working days after ``start`` (``start`` itself not counted)."""
        if n < 0:
            raise ValueError(f"n must be ≥ 0, got {n}")
        d = start
        while n:
            d += ONE_DAY
            if self.is_working_day(d):
                n -= 1
        return d

    def working_days_between(self, start: date, end: date) -> int:
        """Working days d with start < d ≤ end."""
        count, d = 0, start
        while d < end:
            d += ONE_DAY
            count += self.is_working_day(d)
        return count

    def next_working_day(self, d: date) -> date:
        """``d`` itself if it is a working day, else the first working day after it."""
        while not self.is_working_day(d):
            d += ONE_DAY
        return d

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], name: str = "") -> WorkingCalendar:
        """Read ``{"holidays": [...], "workdays": [...]}``; entries are dates or inclusive ranges ``a..b``.

        Unknown keys are refused: a misspelt ``holiday:`` would otherwise give a calendar without holidays.
        """
        unknown = sorted(str(key) for key in data if key not in KEYS)
        if unknown:
            raise ValueError(f"{name or 'calendar'}: unknown keys {unknown}; expected {list(KEYS)}")
        workdays = _dates(data.get("workdays"), "workdays")
        weekdays = sorted(d for d in workdays if d.weekday() < 5)
        if weekdays:
            raise ValueError(f"workdays: {weekdays[0].isoformat()} is not a Saturday or Sunday")
        return cls(_dates(data.get("holidays"), "holidays"), workdays, name)

    @classmethod
    def load(cls, path: str | Path | None = None) -> WorkingCalendar:
        """The calendar in a YAML file; no path (or an empty one): the shipped national calendar (cached)."""
        if not path:
            return _shipped()
        return _from_yaml(Path(path).read_text(encoding="utf-8"), str(path))


@lru_cache(maxsize=1)
def _shipped() -> WorkingCalendar:
    text = (files("services.intake.domain") / "data" / "holidays_cn.yaml").read_text(encoding="utf-8")
    return _from_yaml(text, "holidays_cn.yaml")


def _from_yaml(text: str, name: str) -> WorkingCalendar:
    data = yaml.safe_load(text) or {}
    if not isinstance(data, Mapping):
        raise ValueError(f"{name}: expected a mapping with 'holidays' and 'workdays'")
    return WorkingCalendar.from_mapping(data, name)
