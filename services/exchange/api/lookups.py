"""Lookups: is this person already aided? The minimum the caller's scopes allow, every read audited."""

from __future__ import annotations

from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Depends, Header, Request
from pydantic import BaseModel, Field, model_validator

from services.exchange.adapters.matching import MatchingChecks
from services.exchange.api.deps import department
from services.exchange.domain.answers import answer
from services.exchange.service.audit import Read, query_pseudonym, record_reads
from services.exchange.service.rosters import caller_client
from shared.auth import Principal
from shared.errors import BadRequest, FieldError, ServiceUnavailable
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


class Answer(BaseModel):
    index: int
    found: bool
    enrolled: dict[str, bool] = Field(description="Per programme the caller may know about")
    person_id: str | None = Field(None, description="With fields:identity")
    aid: list[AidOut] | None = Field(None, description="With fields:aid (amounts with fields:income)")


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
        raise BadRequest(why, errors=[FieldError("body", ("purpose",), "required", why)])
    client = caller_client(session, caller)
    members = [q.model_dump(exclude_none=True) for q in body.queries]
    checks = MatchingChecks(request.app.state.settings)
    try:
        found = checks.members(members)
    except httpx.HTTPError as exc:
        raise ServiceUnavailable(Text("Matching cannot answer now.", "比对服务暂时无法应答。")) from exc
    finally:
        checks.close()
    key = request.app.state.settings.jwt_secret.get_secret_value()
    answers, reads = [], []
    for i, (q, member) in enumerate(zip(body.queries, found, strict=True)):
        out, carried = answer(i, member, caller.scopes)
        answers.append(out)
        person = next((m["person_id"] for m in member["matches"] if m["linked"]), None)
        reads.append(Read(person or query_pseudonym(key, q.id_number, q.name, q.birth_date), tuple(carried)))
    record_reads(
        session,
        client_id=client.client_id,
        department_code=client.department_code,
        end_user=end_user,
        purpose=str(body.purpose).strip(),
        endpoint="POST /v1/lookups",
        reads=reads,
    )  # committed with the request's unit of work, before the answer leaves: no audit, no answer
    return {"answers": answers}
