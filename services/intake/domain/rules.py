"""What each workflow action needs besides a legal transition: its facts, and the moment it may happen.

``check_action`` returns field errors (the request is wrong: 422) or raises ``ActionRefused``
(the request is right but the case is not ready, e.g. the notice has not ended: 409).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from services.intake.domain.deadlines import stop_notice_over
from services.intake.domain.programmes import Programme
from services.intake.domain.workflow import Action, Status
from shared.errors import FieldError
from shared.i18n import Text


@dataclass(frozen=True)
class CaseState:
    programme: Programme
    status: Status
    recommendation: str | None = None
    notice_end_on: date | None = None
    stop_notice_on: date | None = None
    amount: Decimal | None = None
    accepted_on: date | None = None


class ActionRefused(Exception):
    def __init__(self, message: Text) -> None:
        super().__init__(message.en)
        self.message = message


def effective_action(action: Action, payload: Mapping[str, Any]) -> Action:
    """A review whose outcome is to stop the aid moves the case as ``stop`` does."""
    return Action.STOP if action is Action.REVIEW and payload.get("outcome") == "stop" else action


def _field(name: str, code: str, en: str, zh: str) -> FieldError:
    return FieldError("body", (name,), code, Text(en, zh))


def check_action(
    case: CaseState, action: Action, payload: Mapping[str, Any], on: date, today: date
) -> list[FieldError]:
    errors: list[FieldError] = []
    if on > today:
        errors.append(_field("on", "date_in_future", "Date is in the future", "日期不能晚于今天"))
    if case.accepted_on is not None and on < case.accepted_on:
        errors.append(
            _field("on", "date_before_acceptance", "Date is before the acceptance", "日期早于受理日期")
        )
    if action is Action.INVESTIGATE:
        names = [n.strip() for n in payload.get("investigators", []) if n.strip()]
        if len(set(names)) < 2:
            errors.append(
                _field(
                    "investigators",
                    "investigators_too_few",
                    "At least 2 different investigators",
                    "入户调查至少需要 2 名不同的调查人员",
                )
            )
    if (
        action is Action.GIVE_OPINION
        and payload.get("recommendation") == "approve"
        and not payload.get("proposed_amount")
    ):
        errors.append(
            _field(
                "proposed_amount",
                "amount_required",
                "An opinion for aid proposes an amount",
                "建议给予救助时应填写拟救助金额",
            )
        )
    if action is Action.REVIEW and payload.get("outcome") in ("increase", "decrease"):
        new = payload.get("new_amount")
        if new is None:
            errors.append(
                _field("new_amount", "amount_required", "The new amount is required", "应填写调整后的金额")
            )
        elif case.amount is not None and (new > case.amount) != (payload["outcome"] == "increase"):
            errors.append(
                _field(
                    "new_amount",
                    "amount_direction",
                    "The new amount does not match the outcome",
                    "调整后的金额与复核结论（增发/减发）不一致",
                )
            )
    if errors:
        return errors
    _check_timing(case, effective_action(action, payload), on)
    return []


def _check_timing(case: CaseState, action: Action, on: date) -> None:
    if action is Action.PUBLISH_NOTICE and case.recommendation != "approve":
        raise ActionRefused(
            Text(
                "Only an opinion for aid is published; refer a refusal to the county.",
                "初审意见为不予救助的，不公示，应报县级审核确认。",
            )
        )
    if action is Action.REFER and case.recommendation != "deny":
        raise ActionRefused(
            Text(
                "An opinion for aid goes through the public notice first.", "初审意见为给予救助的，须先公示。"
            )
        )
    if action is Action.CLOSE_NOTICE and case.notice_end_on is not None and on <= case.notice_end_on:
        raise ActionRefused(
            Text(
                f"The notice runs until {case.notice_end_on.isoformat()}.",
                f"公示期至 {case.notice_end_on.isoformat()} 结束，尚未期满。",
            )
        )
    if (
        action is Action.STOP
        and case.status is Status.TERMINATION_NOTICE
        and case.stop_notice_on is not None
        and not stop_notice_over(case.stop_notice_on, on)
    ):
        raise ActionRefused(
            Text(
                "特困 support ends only 7 days after the termination notice.",
                "特困人员终止供养须公示满 7 天。",
            )
        )
