"""A validated draft as the rows it is stored in, and the events that report it.

Shared by the single submission and the bulk import, so that an imported application is stored
and announced exactly as a submitted one.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from services.intake.adapters.orm import Application, ApplicationAction, Household, Member
from services.intake.domain.application import HEAD_OF_HOUSEHOLD, ApplicationDraft
from services.intake.domain.workflow import Status
from shared.codes.divisions import significant_digits
from shared.contracts.precheck import PrecheckMember, PrecheckRequest
from shared.events.models import OutboxEvent
from shared.events.outbox import event_rows

FEN = Decimal("0.01")
EVENT_PREFIX = "cn.snx.intake"
APPLICATION_SUBMITTED = f"{EVENT_PREFIX}.application.submitted"
APPLICATION_STATUS_CHANGED = f"{EVENT_PREFIX}.application.status_changed"
APPLICATION_DECIDED = f"{EVENT_PREFIX}.application.decided"
APPLICATION_PRECHECKED = f"{EVENT_PREFIX}.application.prechecked"
ASSISTANCE_STARTED = f"{EVENT_PREFIX}.assistance.started"
ASSISTANCE_CHANGED = f"{EVENT_PREFIX}.assistance.changed"
ASSISTANCE_STOPPED = f"{EVENT_PREFIX}.assistance.stopped"
ASSISTANCE_REVIEWED = f"{EVENT_PREFIX}.assistance.reviewed"  # a periodic review kept the aid


def jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):  # money travels as a string with fen, never a float
        return str(value.quantize(FEN))
    return value


def draft_rows(
    draft: ApplicationDraft, *, application_id: str, created_by: str, now: datetime
) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
    """(household, members, application) column values of a validated draft."""
    household_id = str(uuid.uuid4())
    division = significant_digits(draft.division_code)
    residence = significant_digits(draft.residence_division_code) if draft.residence_division_code else None
    household = {
        "id": household_id,
        "division_code": division,
        "residence_division_code": residence,
        "area_type": draft.area_type,
        "address": draft.address,
        "created_by": created_by,
        "created_at": now,
    }
    members = [
        {
            "id": str(uuid.uuid4()),
            "household_id": household_id,
            "position": i,
            "name": m.name,
            "id_number": m.id_number,
            "sex": m.sex,
            "birth_date": m.birth_date,
            "relationship": m.relationship,
            "disability_category": m.disability_category,
            "disability_grade": m.disability_grade,
            "work_capacity": m.work_capacity.value if m.work_capacity else None,
        }
        for i, m in enumerate(draft.members)
    ]
    applicant = draft.applicant_index
    if applicant is None:
        applicant = next((i for i, m in enumerate(draft.members) if m.relationship == HEAD_OF_HOUSEHOLD), 0)
    application = {
        "id": application_id,
        "household_id": household_id,
        "programme": draft.programme.value,
        "channel": draft.channel.value,
        "status": Status.SUBMITTED.value,
        "division_code": division,
        "township_code": division[:9],
        "county_code": division[:6],
        "applicant_index": applicant,
        "household_size": len(draft.members),
        "declaration": jsonable(
            {
                "agent": asdict(draft.agent) if draft.agent else None,
                "income": [asdict(i) for i in draft.income],
                "property": [asdict(p) for p in draft.property],
            }
        ),
        "authorisation_signed_on": draft.authorisation_signed_on,
        "close_relative_filed": draft.close_relative_filed,
        "reason": draft.reason,
        "source_ref": draft.source_ref,
        "created_by": created_by,
        "submitted_at": now,
        "updated_at": now,
        "version": 1,
        "notice_rounds": 0,
        "extended": False,
        "precheck_status": "pending",
        "precheck_attempts": 0,
        "precheck_next_at": now,
    }
    return household, members, application


def member_facts(members: list[dict[str, Any]] | list[Member]) -> list[dict[str, Any]]:
    """What matching needs of each member to know who is who (the feed is internal)."""
    out = []
    for m in members:
        row = m if isinstance(m, dict) else {c: getattr(m, c) for c in _MEMBER_FACTS}
        out.append(jsonable({c: row[c] for c in _MEMBER_FACTS}))
    return out


_MEMBER_FACTS = (
    "position",
    "id_number",
    "name",
    "sex",
    "birth_date",
    "relationship",
    "disability_category",
    "disability_grade",
)


def submitted_event(
    application: dict[str, Any], household: dict[str, Any], members: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "application_id": application["id"],
        "household_id": household["id"],
        "programme": application["programme"],
        "channel": application["channel"],
        "status": application["status"],
        "division_code": household["division_code"],
        "residence_division_code": household["residence_division_code"],
        "area_type": household["area_type"],
        "applicant_index": application["applicant_index"],
        "members": member_facts(members),
        "submitted_at": application["submitted_at"].isoformat(),
    }


def submission_rows(
    household: dict[str, Any],
    members: list[dict[str, Any]],
    application: dict[str, Any],
    *,
    actor: str,
    now: datetime,
    on: date,
    details: dict[str, Any],
) -> dict[type[Any], list[dict[str, Any]]]:
    """Everything one submission writes, by table: the household, members and application, the
    first history row, and the submitted event (for ``ApplicationRepository.add_many``)."""
    action = {
        "application_id": application["id"],
        "action": "submit",
        "from_status": None,
        "to_status": application["status"],
        "actor": actor,
        "at": now,
        "on": on,
        "details": details,
    }
    event = (
        APPLICATION_SUBMITTED,
        submitted_event(application, household, members),
        f"application/{application['id']}",
    )
    return {
        Household: [household],
        Member: members,
        Application: [application],
        ApplicationAction: [action],
        OutboxEvent: event_rows([event]),
    }


def precheck_request(application: dict[str, Any], members: list[dict[str, Any]]) -> PrecheckRequest:
    return PrecheckRequest(
        application_id=application["id"],
        programme=application["programme"],
        division_code=application["division_code"],
        members=[
            PrecheckMember(
                index=m["position"],
                id_number=m["id_number"],
                name=m["name"],
                birth_date=m["birth_date"],
                sex=m["sex"],
            )
            for m in members
        ],
    )


def stored_precheck_request(app: Application) -> PrecheckRequest:
    application = {"id": app.id, "programme": app.programme, "division_code": app.division_code}
    members = [
        {c: getattr(m, c) for c in ("position", "id_number", "name", "birth_date", "sex")}
        for m in app.household.members
    ]
    return precheck_request(application, members)
