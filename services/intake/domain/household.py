"""Household registration rules (户籍 and residence divisions, urban/rural)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from shared.codes.divisions import DivisionLevel, DivisionTable, InvalidDivisionCode, division_level
from shared.errors import FieldError
from shared.i18n import Text

AreaType = Literal["urban", "rural"]
HOUSEHOLD_LEVELS = (DivisionLevel.TOWNSHIP, DivisionLevel.VILLAGE)


@dataclass(frozen=True)
class HouseholdDraft:
    division_code: str  # registration: township (9) or village (12 digits)
    residence_division_code: str | None
    area_type: AreaType
    address: str | None


def _check_code(field: str, code: str, table: DivisionTable) -> tuple[list[FieldError], list[Text]]:
    try:
        level = division_level(code)
    except InvalidDivisionCode:
        return [
            FieldError(
                "body",
                (field,),
                "division_code_malformed",
                Text(
                    "Must be a 9-digit township or 12-digit village code",
                    "应为 9 位乡镇或 12 位村（社区）代码",
                ),
            )
        ], []
    if level not in HOUSEHOLD_LEVELS:
        return [
            FieldError(
                "body",
                (field,),
                "division_level",
                Text(
                    f"A household belongs to a township or village, not a {level.value}",
                    "家庭应登记到乡镇（街道）或村（社区）一级",
                ),
            )
        ], []
    warnings = [Text(f"{field}: {w}", f"{field}：{w}") for w in table.check(code)]
    return [], warnings


def validate_household(draft: HouseholdDraft, table: DivisionTable) -> tuple[list[FieldError], list[Text]]:
    """Field errors (reject) and warnings (accept, report) for a new household."""
    errors, warnings = _check_code("division_code", draft.division_code, table)
    if draft.residence_division_code:
        more_errors, more_warnings = _check_code(
            "residence_division_code", draft.residence_division_code, table
        )
        errors += more_errors
        warnings += more_warnings
    return errors, warnings
