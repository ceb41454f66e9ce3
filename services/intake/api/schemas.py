"""Request and response schemas of intake's API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class HouseholdCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    division_code: str = Field(description="户籍地: township (9 digits) or village (12 digits) code")
    residence_division_code: str | None = Field(None, description="居住地, when different")
    area_type: Literal["urban", "rural"] = Field(description="城乡: urban or rural")
    address: str | None = Field(None, max_length=300)


class HouseholdRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    division_code: str
    residence_division_code: str | None
    area_type: str
    address: str | None
    created_at: datetime


class HouseholdCreated(HouseholdRead):
    warnings: list[str] = []
