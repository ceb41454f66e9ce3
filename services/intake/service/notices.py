"""The public notice list (公示) of a township or village: what the law lets the public see.

Applicant name (masked: 张*明), household size and amount only; never an ID number, never other
members, never a minor's name; an entry is gone once its notice period has ended.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from services.intake.adapters.repository import ApplicationRepository
from services.intake.domain.programmes import PROGRAMME_NAMES, Programme
from services.intake.service.context import IntakeContext
from shared.codes.divisions import DivisionLevel, InvalidDivisionCode, division_level
from shared.codes.masking import mask_name
from shared.errors import FieldError, ValidationFailed
from shared.i18n import Lang, Text

ADULT_AGE = 18


@dataclass(frozen=True)
class NoticeEntry:
    id: str
    programme: str
    programme_name: str
    name: str | None  # None when the applicant is a minor
    household_size: int
    amount: Decimal | None
    division_code: str
    division_name: str | None
    start_on: date
    end_on: date


def _is_minor(born: date | None, on: date) -> bool:
    if born is None:
        return True  # unknown age: never risk naming a child
    return (on.year - born.year - ((on.month, on.day) < (born.month, born.day))) < ADULT_AGE


def notices(
    session: Session, ctx: IntakeContext, division: str, lang: Lang, after: str | None, limit: int
) -> tuple[list[NoticeEntry], str | None]:
    try:
        level = division_level(division)
    except InvalidDivisionCode:
        level = None
    if level not in (DivisionLevel.TOWNSHIP, DivisionLevel.VILLAGE):
        raise ValidationFailed(
            Text(
                "Give a township (9-digit) or village (12-digit) code.",
                "请提供乡镇（9 位）或村（12 位）代码。",
            ),
            errors=[
                FieldError(
                    "query",
                    ("division",),
                    "division_level",
                    Text("A township or village code", "应为乡镇或村（社区）代码"),
                )
            ],
        )
    today = ctx.today()
    rows = ApplicationRepository(session).in_notice(division, today, after, limit + 1)
    entries = []
    for app in rows[:limit]:
        applicant = app.household.members[app.applicant_index]
        programme = Programme(app.programme)
        entries.append(
            NoticeEntry(
                id=app.id,
                programme=programme.value,
                programme_name=PROGRAMME_NAMES[programme].get(lang),
                name=None if _is_minor(applicant.birth_date, today) else mask_name(applicant.name),
                household_size=app.household_size,
                amount=app.proposed_amount,
                division_code=app.division_code,
                division_name=ctx.divisions.full_name(app.division_code[:9]),
                start_on=app.notice_start_on or today,
                end_on=app.notice_end_on or today,
            )
        )
    return entries, (rows[limit - 1].id if len(rows) > limit else None)
