"""Deadlines of the workflow (working days, domain.md §3) and the periodic-review cycle.

[rule] home investigation starts ≤ 3 working days after acceptance; the economic check starts
≤ 3 working days after it is requested; the county decides ≤ 10 working days after the file
reaches it; the whole process takes ≤ 30 working days from acceptance (45 in special cases).
The notice lasts 7 days; 特困 gives 7 days' notice before terminating support.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from services.intake.domain.application import IncomeItem, MemberDraft, WorkCapacity
from services.intake.domain.clock import WorkingCalendar
from services.intake.domain.programmes import ONE_OFF, Programme
from services.intake.domain.workflow import PRE_DECISION, Status

NOTICE_DAYS = 7
STOP_NOTICE_DAYS = 7
PROCESS_WORKING_DAYS = 30
PROCESS_WORKING_DAYS_EXTENDED = 45
WORKING_AGE = (16, 60)  # [practice] ages counted as able to work, when capacity allows

# status entered → (name of the step now due, working days allowed)
STEP_LIMITS: dict[Status, tuple[str, int]] = {
    Status.ACCEPTED: ("investigation", 3),
    Status.CHECK_REQUESTED: ("economic_check", 3),
    Status.AWAITING_DECISION: ("decision", 10),
}


@dataclass(frozen=True)
class Deadlines:
    step: str | None
    step_due_on: date | None
    process_due_on: date | None


def deadlines(
    status: Status,
    entered_on: date,
    accepted_on: date | None,
    extended: bool,
    calendar: WorkingCalendar,
    notice_end_on: date | None = None,
) -> Deadlines:
    """What is due next once an application has entered ``status`` on ``entered_on``."""
    step, due = None, None
    if status in STEP_LIMITS:
        step, days = STEP_LIMITS[status]
        due = calendar.add_working_days(entered_on, days)
    elif status is Status.IN_NOTICE and notice_end_on is not None:
        step, due = "notice", notice_end_on
    process = None
    if accepted_on is not None and status in PRE_DECISION:
        limit = PROCESS_WORKING_DAYS_EXTENDED if extended else PROCESS_WORKING_DAYS
        process = calendar.add_working_days(accepted_on, limit)
    return Deadlines(step, due, process)


def notice_end(start_on: date) -> date:
    """Last day of a 7-day notice that starts on ``start_on`` (start day counted)."""
    return start_on + timedelta(days=NOTICE_DAYS - 1)


def stop_notice_over(stop_notice_on: date, on: date) -> bool:
    return on >= stop_notice_on + timedelta(days=STOP_NOTICE_DAYS)


def _age(born: date | None, on: date) -> int | None:
    if born is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def review_cycle_months(
    programme: Programme, members: Iterable[MemberDraft], income: Iterable[IncomeItem], on: date
) -> int | None:
    """[rule] 特困 yearly; 低保 every 6 months when income is irregular and someone of working
    age can work, else yearly; one-off aid is never reviewed."""
    if programme in ONE_OFF:
        return None
    if programme is Programme.TEKUN:
        return 12
    irregular = any(item.irregular for item in income)
    can_work = any(
        m.work_capacity is not WorkCapacity.NONE
        and (age := _age(m.birth_date, on)) is not None
        and WORKING_AGE[0] <= age < WORKING_AGE[1]
        for m in members
    )
    return 6 if irregular and can_work else 12


def add_months(day: date, months: int) -> date:
    """Same day ``months`` later, clamped to the month's end (Jan 31 + 1 → Feb 28)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def month_after(day: date) -> str:
    """``YYYY-MM`` of the month after ``day``: aid is effective from the month after approval."""
    first = add_months(day.replace(day=1), 1)
    return f"{first.year:04d}-{first.month:02d}"


def first_review(effective_month: str, months: int) -> date:
    year, month = (int(p) for p in effective_month.split("-"))
    return add_months(date(year, month, 1), months)
