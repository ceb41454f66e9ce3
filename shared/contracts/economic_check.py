"""The economic-check contract (居民家庭经济状况核对): intake asks matching to check a household.

``POST {matching}/internal/economic-checks`` with scope ``matching:economic-check``. Matching
evaluates its configured rules (income, financial assets, vehicles, housing, business) against the
department rosters it holds and answers with a report: each rule, its result and its evidence.
intake records the report on the application (the 核对报告 of its workflow).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

ECONOMIC_CHECK_PATH = "/internal/economic-checks"
SCOPE_ECONOMIC_CHECK = "matching:economic-check"


class CheckedMember(BaseModel):
    index: int = Field(ge=0)
    id_number: str | None = Field(None, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    birth_date: date | None = None


class EconomicCheckRequest(BaseModel):
    application_id: str = Field(min_length=1, max_length=64)
    division_code: str = Field(pattern=r"^[0-9]{6}([0-9]{3}([0-9]{3})?)?$")
    members: list[CheckedMember] = Field(min_length=1, max_length=30)


class RuleResult(BaseModel):
    id: str
    kind: Literal["income", "money", "vehicle", "housing", "business"]
    description: dict[str, str]
    result: Literal["pass", "fail"]
    evidence: dict[str, Any]


class EconomicCheckReport(BaseModel):
    report_id: str
    application_id: str
    checked_at: datetime
    rules_version: str
    household_size: int
    outcome: Literal["meets", "exceeds"] = Field(description="exceeds: at least one rule failed")
    unmatched_members: list[int] = Field(description="Members no roster knows: nothing found is not proof")
    rules: list[RuleResult]
