"""intake's use cases: one function per thing a user does."""

from __future__ import annotations

import uuid
from dataclasses import asdict

from sqlalchemy.orm import Session

from services.intake.adapters.orm import Household
from services.intake.adapters.repository import HouseholdRepository
from services.intake.domain.household import HouseholdDraft, validate_household
from shared.auth import Principal
from shared.codes.divisions import DivisionTable
from shared.errors import Forbidden, NotFound, ValidationFailed
from shared.events.outbox import append_event, utcnow
from shared.i18n import Text
from shared.logs import get_logger

log = get_logger("snx.intake")
EVENT_HOUSEHOLD_REGISTERED = "cn.snx.intake.household.registered"


def register_household(
    session: Session, principal: Principal, draft: HouseholdDraft
) -> tuple[Household, list[Text]]:
    errors, warnings = validate_household(draft, DivisionTable.load())
    if errors:
        raise ValidationFailed(Text("The household is invalid.", "家庭信息有误。"), errors=errors)
    if not principal.covers_division(draft.division_code):
        raise Forbidden(Text("This household is outside your division.", "该家庭不在您的辖区内。"))
    household = Household(
        id=str(uuid.uuid4()), created_by=principal.subject, created_at=utcnow(), **asdict(draft)
    )
    HouseholdRepository(session).add(household)
    append_event(
        session,
        EVENT_HOUSEHOLD_REGISTERED,
        {
            "household_id": household.id,
            "division_code": household.division_code,
            "residence_division_code": household.residence_division_code,
            "area_type": household.area_type,
        },
        subject=f"household/{household.id}",
    )
    log.info("intake.household_registered", household_id=household.id, division=household.division_code)
    return household, warnings


def get_household(session: Session, principal: Principal, household_id: str) -> Household:
    household = HouseholdRepository(session).get(household_id)
    # Another township's household is "not found": its existence is not theirs to learn.
    if household is None or not principal.covers_division(household.division_code):
        raise NotFound(Text("No such household.", "未找到该家庭。"))
    return household
