"""The state machines and action rules as plain Python (no database, no HTTP)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.intake.domain.policy import SCOPE_DECIDE, SCOPE_WRITE, required_scopes
from services.intake.domain.programmes import Programme
from services.intake.domain.rules import ActionRefused, CaseState, check_action, effective_action
from services.intake.domain.workflow import (
    TERMINAL,
    Action,
    IllegalTransition,
    Status,
    allowed_actions,
    next_status,
    transitions,
)

STANDARD_ROUTE = [
    (Action.ACCEPT, Status.ACCEPTED),
    (Action.INVESTIGATE, Status.INVESTIGATED),
    (Action.REQUEST_CHECK, Status.CHECK_REQUESTED),
    (Action.REPORT_CHECK, Status.CHECK_REPORTED),
    (Action.GIVE_OPINION, Status.OPINION_GIVEN),
    (Action.PUBLISH_NOTICE, Status.IN_NOTICE),
    (Action.CLOSE_NOTICE, Status.AWAITING_DECISION),
]


@pytest.mark.parametrize("programme", list(Programme))
def test_every_programme_walks_the_full_route_to_its_end(programme: Programme) -> None:
    status = Status.SUBMITTED
    for action, expected in STANDARD_ROUTE:
        status = next_status(programme, status, action)
        assert status is expected
    final = next_status(programme, status, Action.APPROVE)
    assert final is (
        Status.PAID if programme in (Programme.LINSHI_URGENT, Programme.LINSHI_EXPENSE) else Status.ACTIVE
    )


def test_objection_then_appraisal_differs_for_tekun() -> None:
    assert (
        next_status(Programme.DIBAO_URBAN, Status.OBJECTION, Action.RESOLVE_OBJECTION)
        is Status.AWAITING_DECISION
    )
    assert next_status(Programme.TEKUN, Status.OBJECTION, Action.RESOLVE_OBJECTION) is Status.OPINION_GIVEN
    assert next_status(Programme.TEKUN, Status.ACTIVE, Action.STOP) is Status.TERMINATION_NOTICE
    assert next_status(Programme.DIBAO_RURAL, Status.ACTIVE, Action.STOP) is Status.EXITED


def test_only_emergency_aid_is_paid_first() -> None:
    assert next_status(Programme.LINSHI_URGENT, Status.SUBMITTED, Action.PAY_FIRST) is Status.PAID_FIRST
    with pytest.raises(IllegalTransition) as raised:
        next_status(Programme.LINSHI_EXPENSE, Status.SUBMITTED, Action.PAY_FIRST)
    assert raised.value.allowed == (Action.ACCEPT, Action.RETURN, Action.WITHDRAW)
    assert "submitted" in raised.value.message.en and "pay_first" in raised.value.message.zh


@pytest.mark.parametrize("programme", list(Programme))
def test_terminal_states_allow_nothing_and_every_state_is_reachable(programme: Programme) -> None:
    table = transitions(programme)
    for status in TERMINAL:
        assert allowed_actions(programme, status) == []
    reachable, frontier = {Status.SUBMITTED}, [Status.SUBMITTED]
    while frontier:
        here = frontier.pop()
        for (s, _), target in table.items():
            if s is here and target not in reachable:
                reachable.add(target)
                frontier.append(target)
    assert {s for s, _ in table} <= reachable


def test_one_off_aid_is_never_active_or_reviewed() -> None:
    for programme in (Programme.LINSHI_URGENT, Programme.LINSHI_EXPENSE):
        assert Status.ACTIVE not in transitions(programme).values()
        assert not any(a is Action.REVIEW for _, a in transitions(programme))


CASE = CaseState(
    Programme.DIBAO_URBAN,
    Status.IN_NOTICE,
    recommendation="approve",
    notice_end_on=date(2026, 3, 7),
    accepted_on=date(2026, 2, 1),
    amount=Decimal("800"),
)


def test_the_notice_closes_only_after_its_last_day() -> None:
    with pytest.raises(ActionRefused):
        check_action(CASE, Action.CLOSE_NOTICE, {}, date(2026, 3, 7), date(2026, 3, 20))
    assert check_action(CASE, Action.CLOSE_NOTICE, {}, date(2026, 3, 8), date(2026, 3, 20)) == []


def test_dates_are_neither_in_the_future_nor_before_acceptance() -> None:
    codes = [e.code for e in check_action(CASE, Action.OBJECT, {}, date(2026, 4, 1), date(2026, 3, 20))]
    assert codes == ["date_in_future"]
    codes = [e.code for e in check_action(CASE, Action.OBJECT, {}, date(2026, 1, 1), date(2026, 3, 20))]
    assert codes == ["date_before_acceptance"]


def test_review_amounts_must_match_the_outcome() -> None:
    active = CaseState(Programme.DIBAO_URBAN, Status.ACTIVE, amount=Decimal("800"))
    on = date(2026, 5, 1)
    wrong = check_action(active, Action.REVIEW, {"outcome": "increase", "new_amount": Decimal("500")}, on, on)
    assert [e.code for e in wrong] == ["amount_direction"]
    assert (
        check_action(active, Action.REVIEW, {"outcome": "decrease", "new_amount": Decimal("500")}, on, on)
        == []
    )
    assert [e.code for e in check_action(active, Action.REVIEW, {"outcome": "increase"}, on, on)] == [
        "amount_required"
    ]


def test_a_review_that_stops_aid_is_a_decision() -> None:
    assert effective_action(Action.REVIEW, {"outcome": "stop"}) is Action.STOP
    assert effective_action(Action.REVIEW, {"outcome": "unchanged"}) is Action.REVIEW
    assert required_scopes(Action.REVIEW, {"outcome": "stop"}) == {SCOPE_WRITE, SCOPE_DECIDE}
    assert required_scopes(Action.APPROVE, {}) == {SCOPE_DECIDE}
