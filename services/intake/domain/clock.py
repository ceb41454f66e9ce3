"""The working-day clock: deadlines in working days, from a holiday calendar that is configuration.

China's calendar moves: statutory holidays fall on weekdays, and some weekends become working days
(调休). A ``WorkingCalendar`` holds both lists; the shipped one covers the published national
arrangements and a deployment replaces it (setting ``INTAKE_HOLIDAY_CALENDAR``) [cfg].
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

ONE_DAY = timedelta(days=1)


def _dates(entries: Iterable[Any], key: str) -> frozenset[date]:
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
            raise ValueError("n must be ≥ 0")
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
        while not self.is_working_day(d):
            d += ONE_DAY
        return d

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], name: str = "") -> WorkingCalendar:
        return cls(
            _dates(data.get("holidays") or [], "holidays"),
            _dates(data.get("workdays") or [], "workdays"),
            name,
        )

    @classmethod
    def load(cls, path: str | Path | None = None) -> WorkingCalendar:
        return _load(str(path) if path else None)


@lru_cache(maxsize=8)
def _load(path: str | None) -> WorkingCalendar:
    if path is None:
        text = (files("services.intake.domain") / "data" / "holidays_cn.yaml").read_text(encoding="utf-8")
        name = "holidays_cn.yaml"
    else:
        text, name = Path(path).read_text(encoding="utf-8"), path
    data = yaml.safe_load(text) or {}
    if not isinstance(data, Mapping):
        raise ValueError(f"{name}: expected a mapping with 'holidays' and 'workdays'")
    return WorkingCalendar.from_mapping(data, name)
