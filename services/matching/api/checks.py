"""Check routes: intake's pre-check (internal contract) and the full real-time check."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from services.matching.service import checks
from shared.auth import Principal, require_scopes
from shared.contracts.precheck import PRECHECK_PATH, SCOPE_PRECHECK, PrecheckRequest, PrecheckResult
from shared.web.deps import SessionDep

router = APIRouter(tags=["checks"])
Prechecker = Annotated[Principal, Depends(require_scopes(SCOPE_PRECHECK))]


@router.post(PRECHECK_PATH, response_model=PrecheckResult, summary="intake's pre-check of a household")
def precheck(body: PrecheckRequest, request: Request, session: SessionDep, _: Prechecker) -> PrecheckResult:
    return checks.precheck(session, request.app.state.index, body)
