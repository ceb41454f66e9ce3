"""Lookups: is this person already aided? The minimum the caller's scopes allow, every read audited."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from pydantic import BaseModel, Field, model_validator

from services.exchange.api.deps import department
from services.exchange.service.lookups import look_up
from shared.auth import Principal
from shared.errors import bad_field
from shared.i18n import Text
from shared.web.deps import SessionDep

router = APIRouter(tags=["lookups"])
Asker = Annotated[Principal, Depends(department("lookup"))]
DIVISION = r"^[0-9]{6}([0-9]{3}([0-9]{3})?)?$"


class Query(BaseModel):
    id_number: str | None = Field(None, max_length=64)
    name: str | None = Field(None, min_length=1, max_length=200)
    birth_date: str | None = Field(None, max_length=40)
    division_code: str | None = Field(None, pattern=DIVISION)

    @model_validator(mode="after")
    def _enough(self) -> Query:
        if not self.id_number and not (self.name and self.birth_date):
            raise ValueError("an ID number, or a name with a birth date, is needed")
        return self


class LookupRequest(BaseModel):
    purpose: str | None = Field(
        None, max_length=200, description="Why (purpose limitation; audited); required"
    )
    queries: list[Query] = Field(min_length=1, max_length=100)


class AidOut(BaseModel):
    programme: str
    status: str | None
    since: str | None
    division_code: str | None
    source: str
    amount: str | None = None


class FindingOut(BaseModel):
    rule: str
    kind: str
    severity: str
    status: str
    programmes: list[str]


class ContactOut(BaseModel):
    address: str | None
    address_source: str | None = Field(description="The roster the address came from")
    phone: str | None
    phone_source: str | None


class Answer(BaseModel):
    index: int
    found: bool
    enrolled: dict[str, bool] = Field(description="Per programme the caller may know about")
    person_id: str | None = Field(None, description="With fields:identity")
    contact: ContactOut | None = Field(None, description="With fields:contact (null: not found)")
    aid: list[AidOut] | None = Field(None, description="With fields:aid (amounts with fields:income)")
    findings: list[FindingOut] | None = Field(None, description="With fields:findings")


class LookupResult(BaseModel):
    answers: list[Answer]


@router.post(
    "/v1/lookups",
    response_model=LookupResult,
    response_model_exclude_unset=True,
    summary="Are these persons aided? One or a batch, by ID number or name + birth date",
)
def lookups(
    body: LookupRequest,
    request: Request,
    session: SessionDep,
    caller: Asker,
    end_user: Annotated[str | None, Header(alias="X-End-User", max_length=200)] = None,
) -> dict[str, Any]:
    if not (body.purpose or "").strip():  # R7: no purpose, no read — a 400 naming the field
        why = Text("A purpose is required for every lookup.", "每次查询都必须说明用途。")
        raise bad_field("purpose", "required", why)
    queries = [q.model_dump(exclude_none=True) for q in body.queries]
    found = look_up(
        session,
        request.app.state.settings,
        caller,
        queries,
        purpose=str(body.purpose).strip(),
        end_user=end_user,
        endpoint="POST /v1/lookups",
    )
    return {"answers": [scoped for scoped, _ in found]}
