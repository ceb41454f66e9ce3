"""Review routes: the grey zone of uncertain pairs, findings, and the decisions people make."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from services.matching.adapters.findings_repository import FindingRepository
from services.matching.service import findings, review
from shared.auth import Principal, require_scopes
from shared.errors import NotFound
from shared.i18n import Text
from shared.web.deps import SessionDep
from shared.web.internal import MAX_INT

SCOPE_REVIEW = "matching:review"
router = APIRouter(prefix="/v1", tags=["review"])
Reviewer = Annotated[Principal, Depends(require_scopes(SCOPE_REVIEW))]
Reason = Field(min_length=2, max_length=2000, description="Why (kept with the decision)")


class RecordRef(BaseModel):
    source: str = Field(min_length=1, max_length=64)
    record_id: str = Field(min_length=1, max_length=128)


class PairDecision(BaseModel):
    a: RecordRef
    b: RecordRef
    decision: Literal["same_person", "different_people"]
    reason: str = Reason


class FindingDecision(BaseModel):
    decision: Literal["confirm", "dismiss"]
    reason: str = Reason


class Bilingual(BaseModel):
    en: str
    zh: str


class FindingOut(BaseModel):
    id: str
    rule: str
    description: Bilingual | None
    kind: Literal["duplicate", "missed"]
    severity: str
    status: Literal["open", "confirmed", "dismissed", "resolved"]
    persons: list[str]
    households: list[str]
    records: list[RecordRef]
    evidence: dict[str, Any]
    division_code: str | None
    programmes: list[str]
    rules_version: str
    reviewer: str | None
    reason: str | None
    decided_at: datetime | None
    created_at: datetime
    updated_at: datetime


class FindingPage(BaseModel):
    total: int
    counts_by_rule: dict[str, int] = Field(description="Open findings per rule")
    items: list[FindingOut]


@router.get("/review/pairs", summary="Uncertain pairs for people to decide, most likely first")
def grey_pairs(
    request: Request,
    _: Reviewer,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_INT),
) -> list[dict[str, Any]]:
    state = request.app.state
    return review.grey_view(state.db, state.index, limit, offset)


@router.post("/review/pairs/decision", summary="Decide a pair: the same person or different people")
def decide_pair(body: PairDecision, request: Request, who: Reviewer) -> dict[str, Any]:
    state = request.app.state
    return review.decide_pair(
        state.db,
        state.index,
        (body.a.source, body.a.record_id),
        (body.b.source, body.b.record_id),
        same_person=body.decision == "same_person",
        reviewer=who.subject,
        reason=body.reason,
    )


@router.get(
    "/findings", response_model=FindingPage, summary="Findings, filterable, most severe and oldest first"
)
def list_findings(
    request: Request,
    session: SessionDep,
    _: Reviewer,
    status: Literal["open", "confirmed", "dismissed", "resolved"] | None = None,
    rule: str | None = Query(None, max_length=10),
    severity: Literal["critical", "high", "medium", "low"] | None = None,
    kind: Literal["duplicate", "missed"] | None = None,
    division: str | None = Query(None, pattern=r"^[0-9]{2,12}$", description="Division code prefix"),
    person_id: str | None = Query(None, max_length=32),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_INT),
) -> dict[str, Any]:
    repo = FindingRepository(session)
    filters = {"status": status, "rule": rule, "severity": severity, "kind": kind, "division": division}
    items, total = repo.query({**filters, "person_id": person_id}, limit, offset)
    rs = request.app.state.rules
    return {
        "total": total,
        "counts_by_rule": repo.counts_by_rule(),
        "items": [findings.finding_view(f, rs) for f in items],
    }


@router.get("/findings/{finding_id}", response_model=FindingOut, summary="One finding")
def read_finding(finding_id: str, request: Request, session: SessionDep, _: Reviewer) -> dict[str, Any]:
    finding = FindingRepository(session).get(finding_id)
    if finding is None:
        raise NotFound(Text("No such finding.", "未找到该核查结果。"))
    return findings.finding_view(finding, request.app.state.rules)


@router.post(
    "/findings/{finding_id}/decision", response_model=FindingOut, summary="Confirm or dismiss a finding"
)
def decide_finding(
    finding_id: str, body: FindingDecision, request: Request, session: SessionDep, who: Reviewer
) -> dict[str, Any]:
    finding = findings.decide(session, finding_id, body.decision, who.subject, body.reason)
    return findings.finding_view(finding, request.app.state.rules)
