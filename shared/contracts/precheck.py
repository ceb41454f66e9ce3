"""The pre-check contract: intake asks matching, at submission, about a household.

``POST {matching}/internal/precheck`` with scope ``matching:precheck``: "is anyone in this
household already aided, or applying elsewhere?" Matching answers from its person index; intake
stores the answer with the application. The applying application itself is named so that matching
never reports it against itself (its own submitted event may have reached matching already).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

PRECHECK_PATH = "/internal/precheck"
SCOPE_PRECHECK = "matching:precheck"


class PrecheckMember(BaseModel):
    index: int = Field(ge=0, description="Position of the member in the application")
    id_number: str = Field(description="Normalised 18-character ID number")
    name: str
    birth_date: date | None = None
    sex: str | None = None


class PrecheckRequest(BaseModel):
    application_id: str
    programme: str
    division_code: str
    members: list[PrecheckMember] = Field(min_length=1)


class PrecheckHit(BaseModel):
    member_index: int
    kind: Literal["aided", "applying"] = Field(description="aided: receives the aid now; applying: elsewhere")
    programme: str
    source: str = Field(description="Roster or service that knows it, e.g. mca.dibao, intake")
    division_code: str | None = None
    since: date | None = None
    reference: str | None = Field(None, description="The other application's or roster record's id")


class PrecheckResult(BaseModel):
    status: Literal["clear", "hits"]
    hits: list[PrecheckHit] = []
    checked_at: datetime
