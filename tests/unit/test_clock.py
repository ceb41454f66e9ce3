"""The working-day clock and the workflow deadlines it drives."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.intake.domain.application import IncomeItem, IncomeKind, MemberDraft, WorkCapacity
from services.intake.domain.clock import WorkingCalendar
from services.intake.domain.deadlines import (
    add_months,
    deadlines,
    first_review,
    month_after,
    notice_end,
    review_cycle_months,
)
from services.intake.domain.programmes import Programme
from services.intake.domain.workflow import Status

PLAIN = WorkingCalendar()
CN = WorkingCalendar.load()


def test_weekends_are_skipped() -> None:
    friday = date(2026, 3, 13)
    assert PLAIN.add_working_days(friday, 3) == date(2026, 3, 18)  # Mon, Tue, Wed
    assert PLAIN.add_working_days(friday, 0) == friday
    assert PLAIN.working_days_between(friday, date(2026, 3, 18)) == 3
    assert PLAIN.working_days_between(friday, friday) == 0
    assert PLAIN.working_days_between(date(2026, 3, 18), friday) == 0
    assert PLAIN.next_working_day(friday) == friday
    assert PLAIN.next_working_day(date(2026, 3, 14)) == date(2026, 3, 16)  # Sat -> Mon
    with pytest.raises(ValueError):
        PLAIN.add_working_days(friday, -1)


def test_spring_festival_and_its_adjusted_saturday() -> None:
    # 2026-02-13 Fri works, 02-14 Sat is a 调休 working day, 02-15..23 are off, 02-24 Tue works.
    assert CN.add_working_days(date(2026, 2, 12), 3) == date(2026, 2, 24)
    assert CN.is_working_day(date(2026, 2, 14)) and not CN.is_working_day(date(2026, 2, 16))
    assert CN.next_working_day(date(2026, 2, 15)) == date(2026, 2, 24)
    # Accepted Fri 02-27: the 调休 Saturday 02-28 is the first working day after it.
    assert CN.add_working_days(date(2026, 2, 27), 1) == date(2026, 2, 28)


def test_the_shipped_calendar_covers_2024_to_2026() -> None:
    for year, weekday_holidays, workdays in ((2024, 19, 8), (2025, 18, 5), (2026, 19, 6)):
        assert sum(d.year == year and d.weekday() < 5 for d in CN.holidays) == weekday_holidays
        assert sum(d.year == year for d in CN.workdays) == workdays
    assert WorkingCalendar.load() is CN and WorkingCalendar.load("") is CN


def test_the_shipped_calendar_knows_national_day() -> None:
    assert date(2026, 10, 1) in CN.holidays and date(2026, 10, 10) in CN.workdays
    # 30 working days from Mon 2026-09-21: Sep 22-24 and 28-30 give 6 (09-25 is 中秋), Oct 1-7 are
    # off, Oct 8-9 and Sat 10-10 (调休) give 3, four full weeks give 20, and Mon 11-09 is the 30th.
    assert CN.add_working_days(date(2026, 9, 21), 30) == date(2026, 11, 9)


@given(st.dates(date(2024, 1, 1), date(2026, 12, 31)), st.integers(0, 60))
def test_counting_and_adding_agree(start: date, n: int) -> None:
    end = CN.add_working_days(start, n)
    assert CN.working_days_between(start, end) == n
    assert n == 0 or CN.is_working_day(end)


def test_calendar_files_name_their_bad_entries(tmp_path: Path) -> None:
    cal = WorkingCalendar.from_mapping({"holidays": ["2026-05-01..2026-05-03"], "workdays": ["2026-05-09"]})
    assert cal.holidays == {date(2026, 5, 1), date(2026, 5, 2), date(2026, 5, 3)}
    with pytest.raises(ValueError, match="2026-13-01"):
        WorkingCalendar.from_mapping({"holidays": ["2026-13-01"]})
    with pytest.raises(ValueError, match=r"2026-05-04\.\.2026-05-01.* ends before it starts"):
        WorkingCalendar.from_mapping({"holidays": ["2026-05-04..2026-05-01"]})
    with pytest.raises(ValueError, match="2026-01-05 is not a Saturday or Sunday"):
        WorkingCalendar.from_mapping({"workdays": ["2026-01-05"]})
    with pytest.raises(ValueError, match="unknown keys"):
        WorkingCalendar.from_mapping({"holiday": ["2026-01-01"]})  # a typo must not mean "no holidays"
    with pytest.raises(ValueError, match="expected a list"):
        WorkingCalendar.from_mapping({"holidays": "2026-01-01..2026-01-03"})
    path = tmp_path / "local.yaml"
    path.write_text("holidays: [2030-01-02]\nworkdays: []\n", encoding="utf-8")
    assert WorkingCalendar.load(path).holidays == {date(2030, 1, 2)}


def test_step_and_process_deadlines() -> None:
    accepted = date(2026, 9, 21)
    due = deadlines(Status.ACCEPTED, accepted, accepted, False, CN)
    assert (due.step, due.step_due_on) == ("investigation", CN.add_working_days(accepted, 3))
    assert due.process_due_on == date(2026, 11, 9)
    longer = deadlines(Status.CHECK_REPORTED, accepted, accepted, True, CN)
    assert longer.step is None and longer.process_due_on == CN.add_working_days(accepted, 45)
    assert deadlines(Status.ACTIVE, accepted, accepted, False, CN).process_due_on is None
    assert notice_end(date(2026, 3, 1)) == date(2026, 3, 7)


def test_review_cycle_by_household_category() -> None:
    on = date(2026, 6, 1)
    adult = MemberDraft("甲", "x", "02", birth_date=date(1980, 1, 1), work_capacity=WorkCapacity.FULL)
    elder = MemberDraft("乙", "y", "02", birth_date=date(1940, 1, 1), work_capacity=WorkCapacity.NONE)
    irregular = [IncomeItem(IncomeKind.WAGE, Decimal(500), 0, irregular=True)]
    assert review_cycle_months(Programme.DIBAO_URBAN, [adult], irregular, on) == 6
    assert review_cycle_months(Programme.DIBAO_URBAN, [adult], [], on) == 12
    assert review_cycle_months(Programme.DIBAO_URBAN, [elder], irregular, on) == 12
    assert review_cycle_months(Programme.TEKUN, [adult], irregular, on) == 12
    assert review_cycle_months(Programme.LINSHI_EXPENSE, [adult], irregular, on) is None


def test_month_arithmetic() -> None:
    assert month_after(date(2026, 12, 15)) == "2027-01"
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert first_review("2026-12", 6) == date(2027, 6, 1)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
