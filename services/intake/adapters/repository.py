"""All of intake's SQL."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.intake.adapters.orm import Household


class HouseholdRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, household: Household) -> None:
        self.session.add(household)
        self.session.flush()

    def get(self, household_id: str) -> Household | None:
        return self.session.get(Household, household_id)

    def list_in_division(self, prefix: str, limit: int = 100) -> list[Household]:
        stmt = (
            select(Household)
            .where(Household.division_code.startswith(prefix))
            .order_by(Household.created_at, Household.id)
            .limit(limit)
        )
        return list(self.session.scalars(stmt))
