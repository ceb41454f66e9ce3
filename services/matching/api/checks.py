"""Check routes: intake's pre-check (internal contract) and the full real-time check."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field, model_validator

from services.matching.service import checks, economic_checks
from shared.auth import Principal, require_scopes
from shared.contracts.economic_check import (
    ECONOMIC_CHECK_PATH,
    SCOPE_ECONOMIC_CHECK,
    EconomicCheckReport,
    EconomicCheckRequest,
)
from shared.contracts.precheck import PRECHECK_PATH, SCOPE_PRECHECK, PrecheckRequest, PrecheckResult
from shared.web.deps import reading

router = APIRouter(tags=["checks"])
Prechecker = Annotated[Principal, Depends(require_scopes(SCOPE_PRECHECK))]


@router.post(PRECHECK_PATH, response_model=PrecheckResult, summary="intake's pre-check of a household")
def precheck(body: PrecheckRequest, request: Request, _: Prechecker) -> PrecheckResult:
    return checks.precheck(request.app.state.index, body)


SCOPE_CHECK = "matching:check"
Checker = Annotated[Principal, Depends(require_scopes(SCOPE_CHECK))]


class CheckMember(BaseModel):
    name: str | None = Field(None, min_length=1, max_length=200, description="Or an ID number alone")
    id_number: str | None = Field(None, max_length=64, description="As typed; dirty forms are fine")
    birth_date: str | None = Field(None, max_length=40)
    sex: str | None = Field(None, max_length=8)
    division_code: str | None = Field(
        None, pattern=r"^[0-9]{6}([0-9]{3}([0-9]{3})?)?$", description="Where the person lives, if known"
    )

    @model_validator(mode="after")
    def _someone(self) -> CheckMember:
        if not self.name and not self.id_number:
            raise ValueError("a name or an ID number is needed")
        return self


class CheckRequest(BaseModel):
    members: list[CheckMember] = Field(min_length=1, max_length=30, description="One person or a household")
    programme: str | None = Field(
        None, max_length=40, description="The aid applied for: conflicts it would create"
    )
    division_code: str | None = Field(None, pattern=r"^[0-9]{6}([0-9]{3}([0-9]{3})?)?$")
    application_id: str | None = Field(None, max_length=64, description="Not reported against itself")


class AidOut(BaseModel):
    programme: str
    source: str
    status: str | None
    since: date | None
    division_code: str | None
    record_id: str
    household_ref: str | None
    amount: str | None


class Evidence(BaseModel):
    field: str
    code: str
    zh: str
    en: str
    weight: float


class MatchOut(BaseModel):
    person_id: str
    probability: float
    linked: bool = Field(description="True: the same person; false: possibly (for review)")
    via: Literal["index", "id_number"]
    evidence: list[Evidence] | None
    aid: list[AidOut]


class MemberOut(BaseModel):
    index: int
    matches: list[MatchOut]
    aid: list[AidOut] = Field(description="The aid the member's linked persons receive, every source")


class ConflictOut(BaseModel):
    rule: str
    severity: str
    description: dict[str, str]
    member_index: int
    person_id: str
    evidence: dict[str, Any]


class CheckResult(BaseModel):
    checked_at: datetime
    members: list[MemberOut]
    conflicts: list[ConflictOut]


@router.post("/v1/checks", response_model=CheckResult, summary="Real-time check of a person or a household")
def check(body: CheckRequest, request: Request, _: Checker) -> dict[str, Any]:
    state = request.app.state
    members = [m.model_dump(exclude_none=True) for m in body.members]
    result = checks.check(
        state.index,
        state.rules,
        members,
        programme=body.programme,
        division=body.division_code,
        application_id=body.application_id,
    )
    for member in result["members"]:
        member["matches"] = [{**vars(m), "aid": [vars(a) for a in m.aid]} for m in member["matches"]]
        member["aid"] = [vars(a) for a in member["aid"]]  # shallow: the response model copies
    return result


EconomicChecker = Annotated[Principal, Depends(require_scopes(SCOPE_ECONOMIC_CHECK))]


@router.post(
    ECONOMIC_CHECK_PATH, response_model=EconomicCheckReport, summary="Economic check of a household (核对)"
)
def economic(body: EconomicCheckRequest, request: Request, _: EconomicChecker) -> EconomicCheckReport:
    state = request.app.state
    with reading(request) as session:
        return economic_checks.economic_check(session, state.index, state.rules, body)
