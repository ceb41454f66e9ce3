"""Who read a person's data: the audit trail, by person (staff with ``exchange:admin``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from services.exchange.adapters.repository import AuditRepository
from services.exchange.api.clients import Admin
from shared.web.deps import SessionDep

router = APIRouter(tags=["audit"])


class ReadOut(BaseModel):
    seq: int
    at: str
    client_id: str
    department_code: str
    end_user: str | None
    purpose: str
    endpoint: str
    fields: list[str]


class PersonReads(BaseModel):
    person: str
    reads: list[ReadOut]


@router.get("/v1/audit/persons/{person}", response_model=PersonReads, summary="Who read this person's data")
def person_reads(
    person: str, session: SessionDep, _: Admin, limit: int = Query(100, ge=1, le=1000)
) -> dict[str, Any]:
    records = AuditRepository(session).of_person(person, limit)
    return {"person": person, "reads": [ReadOut.model_validate(r, from_attributes=True) for r in records]}
