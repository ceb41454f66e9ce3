"""What the rosters say about persons beyond who they are: how to reach them (for exchange's
``fields:contact``, read with a service token; exchange audits each read)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from services.matching.adapters.repository import RecordRepository
from services.matching.service.contact import contact_of
from shared.auth import Principal, require_scopes
from shared.web.deps import SessionDep

SCOPE_CONTACT = "matching:contact"
router = APIRouter(prefix="/v1/persons", tags=["persons"])
Reader = Annotated[Principal, Depends(require_scopes(SCOPE_CONTACT))]


class PersonIds(BaseModel):
    person_ids: list[Annotated[str, Field(min_length=1, max_length=32)]] = Field(min_length=1, max_length=100)


class Contact(BaseModel):
    address: str | None
    address_source: str | None
    phone: str | None
    phone_source: str | None


class Contacts(BaseModel):
    persons: dict[str, Contact] = Field(description="By person id; a person with no active record is absent")


@router.post("/contact", response_model=Contacts, summary="Address and phone of persons, from their rosters")
def contact(body: PersonIds, session: SessionDep, _: Reader) -> dict[str, Any]:
    records = RecordRepository(session).of_persons(sorted(set(body.person_ids)))
    return {"persons": contact_of(records)}
