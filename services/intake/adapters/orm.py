"""intake's tables (besides the shared event tables)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.events.models import NAMING


class IntakeBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Household(IntakeBase):
    __tablename__ = "household"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    division_code: Mapped[str] = mapped_column(String(12), index=True)
    residence_division_code: Mapped[str | None] = mapped_column(String(12))
    area_type: Mapped[str] = mapped_column(String(10))
    address: Mapped[str | None] = mapped_column(String(300))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
