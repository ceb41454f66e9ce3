"""Workflow actions: one call moves an application one legal step, records who and when, and
announces it (status changed; decided; assistance started, changed, stopped)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from services.intake.adapters.orm import Application, ApplicationAction
from services.intake.adapters.repository import ApplicationRepository
from services.intake.domain.application import IncomeItem, IncomeKind, MemberDraft, WorkCapacity
from services.intake.domain.deadlines import (
    add_months,
    deadlines,
    first_review,
    month_after,
    notice_end,
    review_cycle_months,
)
from services.intake.domain.policy import required_scopes
from services.intake.domain.programmes import Programme, is_one_off
from services.intake.domain.rules import ActionRefused, CaseState, check_action, effective_action
from services.intake.domain.workflow import Action, IllegalTransition, Status, next_status
from services.intake.service.applications import get_application
from services.intake.service.context import IntakeContext
from services.intake.service.records import (
    APPLICATION_DECIDED,
    APPLICATION_STATUS_CHANGED,
    ASSISTANCE_CHANGED,
    ASSISTANCE_REVIEWED,
    ASSISTANCE_STARTED,
    ASSISTANCE_STOPPED,
    jsonable,
    member_facts,
)
from shared.auth import Principal
from shared.errors import Conflict, Forbidden, ValidationFailed
from shared.events.outbox import append_event, utcnow
from shared.i18n import Text
from shared.logs import get_logger

log = get_logger("snx.intake")


@dataclass
class Step:
    """One action in progress: the application, the facts of the request, the events it raises."""

    app: Application
    action: Action
    target: Status
    payload: dict[str, Any]
    on: date
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def decided(self, decision: str, **data: Any) -> None:
        base = {
            "application_id": self.app.id,
            "programme": self.app.programme,
            "decision": decision,
            "on": self.on,
        }
        self.events.append((APPLICATION_DECIDED, jsonable(base | data)))

    def assistance(self, kind: str, **data: Any) -> None:
        base = {
            "application_id": self.app.id,
            "programme": self.app.programme,
            "division_code": self.app.division_code,
            "on": self.on.isoformat(),
        }
        self.events.append((kind, jsonable(base | data)))


def _case(app: Application) -> CaseState:
    return CaseState(
        programme=Programme(app.programme),
        status=Status(app.status),
        recommendation=app.recommendation,
        notice_end_on=app.notice_end_on,
        stop_notice_on=app.stop_notice_on,
        amount=app.amount,
        accepted_on=app.accepted_on,
    )


def _review_months(app: Application, on: date) -> int | None:
    members = [
        MemberDraft(
            m.name,
            m.id_number,
            m.relationship,
            birth_date=m.birth_date,
            work_capacity=WorkCapacity(m.work_capacity) if m.work_capacity else None,
        )
        for m in app.household.members
    ]
    income = [
        IncomeItem(IncomeKind(i["kind"]), Decimal(i["monthly_amount"]), irregular=bool(i.get("irregular")))
        for i in app.declaration.get("income", [])
    ]
    return review_cycle_months(Programme(app.programme), members, income, on)


def _accept(s: Step) -> None:
    s.app.accepted_on = s.on
    s.app.close_relative_filed = s.app.close_relative_filed or bool(s.payload.get("close_relative_filed"))


def _opinion(s: Step) -> None:
    s.app.recommendation = s.payload["recommendation"]
    s.app.proposed_amount = s.payload.get("proposed_amount")


def _publish(s: Step) -> None:
    start = s.payload.get("start_on") or s.on
    s.app.notice_start_on, s.app.notice_end_on = start, notice_end(start)
    s.app.notice_rounds += 1


def _approve(s: Step) -> None:
    app = s.app
    app.decided_on, app.amount = s.on, s.payload["amount"]
    app.payment_method = "one_off" if is_one_off(Programme(app.programme)) else s.payload.get("method")
    app.effective_month = s.payload.get("effective_month") or month_after(s.on)
    months = s.payload.get("review_cycle_months") or _review_months(app, s.on)
    app.review_cycle_months = months
    app.next_review_on = (
        first_review(app.effective_month, months) if months and s.target is Status.ACTIVE else None
    )
    s.decided("approved", amount=app.amount, method=app.payment_method, effective_month=app.effective_month)
    s.assistance(
        ASSISTANCE_STARTED,
        household_id=app.household_id,
        amount=app.amount,
        effective_month=app.effective_month,
        one_off=s.target is Status.PAID,
        next_review_on=app.next_review_on,
        members=member_facts(app.household.members),
    )


def _deny(s: Step) -> None:
    s.app.decided_on = s.on
    s.decided("denied", reasons=s.payload.get("reasons", []))


def _review(s: Step) -> None:
    app, new = s.app, s.payload.get("new_amount")
    if new is not None and new != app.amount:
        s.assistance(ASSISTANCE_CHANGED, amount_before=app.amount, amount=new, outcome=s.payload["outcome"])
        app.amount = new
    app.next_review_on = add_months(s.on, app.review_cycle_months or 12)
    s.assistance(
        ASSISTANCE_REVIEWED,
        outcome=s.payload.get("outcome"),
        amount=app.amount,
        next_review_on=app.next_review_on,
    )


def _stop(s: Step) -> None:
    app = s.app
    if s.target is Status.TERMINATION_NOTICE:
        app.stop_notice_on = s.on
        return
    app.next_review_on = None
    s.assistance(
        ASSISTANCE_STOPPED,
        household_id=app.household_id,
        reason=s.payload.get("reason"),
        members=member_facts(app.household.members),
    )


def _cancel_stop(s: Step) -> None:
    s.app.stop_notice_on = None


def _pay_first(s: Step) -> None:
    app = s.app
    app.amount, app.payment_method = s.payload["amount"], "one_off"
    s.assistance(
        ASSISTANCE_STARTED,
        household_id=app.household_id,
        amount=app.amount,
        one_off=True,
        paid_first=True,
        members=member_facts(app.household.members),
    )


def _extend(s: Step) -> None:
    s.app.extended = True


def _return(s: Step) -> None:
    s.app.missing_items = list(s.payload["missing_items"])


def _no_effect(_: Step) -> None:
    """Actions whose facts live only in the history (investigation, objection …)."""


EFFECTS: dict[Action, Callable[[Step], None]] = {
    Action.ACCEPT: _accept,
    Action.RETURN: _return,
    Action.GIVE_OPINION: _opinion,
    Action.PUBLISH_NOTICE: _publish,
    Action.APPROVE: _approve,
    Action.DENY: _deny,
    Action.REVIEW: _review,
    Action.STOP: _stop,
    Action.CANCEL_STOP: _cancel_stop,
    Action.PAY_FIRST: _pay_first,
    Action.EXTEND: _extend,
}


def perform(
    session: Session,
    who: Principal,
    ctx: IntakeContext,
    application_id: str,
    action: Action,
    payload: dict[str, Any],
) -> Application:
    app = get_application(session, who, application_id, for_update=True)
    missing = sorted(required_scopes(action, payload) - who.scopes)
    if missing:
        raise Forbidden(
            Text(f"Missing scope(s): {', '.join(missing)}.", f"缺少权限范围：{'、'.join(missing)}。"),
            extra={"missing_scopes": missing},
        )
    today = ctx.today()
    on: date = payload.get("on") or today
    move = effective_action(action, payload)
    try:
        target = next_status(Programme(app.programme), Status(app.status), move)
    except IllegalTransition as exc:
        raise Conflict(
            exc.message, extra={"current_status": app.status, "allowed_actions": list(exc.allowed)}
        ) from exc
    try:
        errors = check_action(_case(app), action, payload, on, today)
    except ActionRefused as exc:
        raise Conflict(exc.message, extra={"current_status": app.status}) from exc
    if errors:
        raise ValidationFailed(
            Text(f"The '{action}' request is invalid.", f"“{action}”操作的信息有误。"), errors=errors
        )
    from_status = Status(app.status)
    step = Step(app, action, target, payload, on)
    EFFECTS.get(move if move is Action.STOP else action, _no_effect)(step)
    _move(session, who, ctx, step, from_status)
    return app


def _move(session: Session, who: Principal, ctx: IntakeContext, step: Step, from_status: Status) -> None:
    app, now = step.app, utcnow()
    app.status = step.target.value
    due = deadlines(step.target, step.on, app.accepted_on, app.extended, ctx.calendar, app.notice_end_on)
    if step.target is not from_status:  # a move that stays put (extend, review) keeps its step's due date
        app.step, app.step_due_on = due.step, due.step_due_on
    app.process_due_on = due.process_due_on
    app.version += 1
    app.updated_at = now
    ApplicationRepository(session).add_action(
        ApplicationAction(
            application_id=app.id,
            action=step.action.value,
            from_status=from_status.value,
            to_status=app.status,
            actor=who.subject,
            at=now,
            on=step.on,
            details=jsonable({k: v for k, v in step.payload.items() if k != "on"}),
        )
    )
    changed = {
        "application_id": app.id,
        "programme": app.programme,
        "division_code": app.division_code,
        "from": from_status.value,
        "to": app.status,
        "action": step.action.value,
        "on": step.on.isoformat(),
    }
    subject = f"application/{app.id}"
    append_event(session, APPLICATION_STATUS_CHANGED, changed, subject=subject)
    for kind, data in step.events:
        append_event(session, kind, data, subject=subject)
    session.flush()
    log.info("intake.application_moved", application_id=app.id, action=step.action.value, to=app.status)
