"""The economic check (核对) asked of matching and recorded as the application's check report."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from services.intake.adapters.orm import Application
from services.intake.domain.workflow import Action, Status
from services.intake.service import workflow
from services.intake.service.applications import get_application
from services.intake.service.context import IntakeContext
from shared.auth import Principal
from shared.contracts.economic_check import CheckedMember, EconomicCheckRequest
from shared.errors import Conflict
from shared.i18n import Text


def run_economic_check(
    session: Session,
    who: Principal,
    ctx: IntakeContext,
    application_id: str,
    on: date | None,
    note: str | None,
) -> Application:
    """Ask matching to check the household, and record its report (``report_check``)."""
    app = get_application(session, who, application_id)
    if app.status != Status.CHECK_REQUESTED:
        raise Conflict(
            Text(
                "The economic check has not been requested for this application.",
                "该申请尚未提请经济状况核对。",
            ),
            extra={"current_status": app.status},
        )
    request = EconomicCheckRequest(
        application_id=app.id,
        division_code=app.division_code,
        members=[
            CheckedMember(index=m.position, id_number=m.id_number, name=m.name, birth_date=m.birth_date)
            for m in app.household.members
        ],
    )
    report = ctx.checker.check(request)
    payload = {
        "on": on,
        "note": note,
        "report_ref": report.report_id,
        "outcome": report.outcome,
        "report": report.model_dump(mode="json"),
    }
    return workflow.perform(session, who, ctx, application_id, Action.REPORT_CHECK, payload)
