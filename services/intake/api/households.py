"""Household routes: parse, call one service function, return a schema."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from services.intake import service
from services.intake.api.schemas import HouseholdCreate, HouseholdCreated, HouseholdRead
from services.intake.domain.household import HouseholdDraft
from shared.auth import Principal, require_scopes
from shared.i18n import negotiate_language
from shared.web.deps import SessionDep

router = APIRouter(prefix="/v1/households", tags=["households"])
Writer = Annotated[Principal, Depends(require_scopes("intake:write"))]
Reader = Annotated[Principal, Depends(require_scopes("intake:read"))]


@router.post("", status_code=201, response_model=HouseholdCreated, summary="Register a household (登记家庭)")
def create_household(
    body: HouseholdCreate, request: Request, session: SessionDep, who: Writer
) -> HouseholdCreated:
    household, warnings = service.register_household(session, who, HouseholdDraft(**body.model_dump()))
    lang = negotiate_language(request.headers.get("accept-language"))
    return HouseholdCreated(
        **HouseholdRead.model_validate(household).model_dump(), warnings=[w.get(lang) for w in warnings]
    )


@router.get("/{household_id}", response_model=HouseholdRead, summary="One household")
def read_household(household_id: str, session: SessionDep, who: Reader) -> HouseholdRead:
    return HouseholdRead.model_validate(service.get_household(session, who, household_id))
