"""The legal workflow of an application, one state machine per programme (domain.md §3).

低保 (urban, rural) and 低保边缘 follow the standard route; 特困 publishes its notice again after an
objection and gives 7 days' notice before terminating; 临时救助 is one payment (no monthly aid, no
review), and 急难型 may be paid first and documented after. Transitions are data: a table per
programme, so an illegal move is refused with the current state and the moves allowed from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from services.intake.domain.programmes import ONE_OFF, PAY_FIRST, Programme
from shared.i18n import Text


class Status(StrEnum):
    SUBMITTED = "submitted"  # 已申请
    RETURNED = "returned"  # 退回补正 (missing items listed once)
    ACCEPTED = "accepted"  # 已受理: day 0 of the clock
    INVESTIGATED = "investigated"  # 入户调查完成
    CHECK_REQUESTED = "check_requested"  # 已提请经济状况核对
    CHECK_REPORTED = "check_reported"  # 核对报告已出具
    OPINION_GIVEN = "opinion_given"  # 初审意见已提出
    IN_NOTICE = "in_notice"  # 公示中
    OBJECTION = "objection"  # 公示有异议, awaiting 民主评议
    AWAITING_DECISION = "awaiting_decision"  # 报县级审核确认
    ACTIVE = "active"  # 享受中 (monthly aid)
    TERMINATION_NOTICE = "termination_notice"  # 特困: 终止前公示 7 days
    PAID_FIRST = "paid_first"  # 急难型: 先行救助, documents to follow
    PAID = "paid"  # one-off aid paid and documented
    DENIED = "denied"  # 不予确认
    EXITED = "exited"  # 退出
    WITHDRAWN = "withdrawn"  # 撤回申请


class Action(StrEnum):
    ACCEPT = "accept"
    RETURN = "return"  # for missing items
    RESUBMIT = "resubmit"
    INVESTIGATE = "investigate"  # record the home investigation (≥ 2 investigators)
    REQUEST_CHECK = "request_check"
    REPORT_CHECK = "report_check"
    GIVE_OPINION = "give_opinion"
    PUBLISH_NOTICE = "publish_notice"
    OBJECT = "object"  # an objection during the notice
    RESOLVE_OBJECTION = "resolve_objection"  # 民主评议 held
    CLOSE_NOTICE = "close_notice"
    REFER = "refer"  # an opinion against aid goes to the county without a notice
    APPROVE = "approve"
    DENY = "deny"
    REVIEW = "review"  # periodic review (动态管理)
    STOP = "stop"  # aid ends (a review that stops it, a death, moving away …)
    CANCEL_STOP = "cancel_stop"  # 特困: an objection to the termination notice is upheld
    PAY_FIRST = "pay_first"
    COMPLETE_DOCUMENTS = "complete_documents"
    WITHDRAW = "withdraw"
    EXTEND = "extend"  # special case: the whole process may take 45 working days instead of 30


S, A = Status, Action
TERMINAL = frozenset({S.DENIED, S.EXITED, S.WITHDRAWN, S.PAID})
PRE_DECISION = frozenset(
    {
        S.ACCEPTED,
        S.INVESTIGATED,
        S.CHECK_REQUESTED,
        S.CHECK_REPORTED,
        S.OPINION_GIVEN,
        S.IN_NOTICE,
        S.OBJECTION,
        S.AWAITING_DECISION,
    }
)

_STANDARD: dict[tuple[Status, Action], Status] = {
    (S.SUBMITTED, A.ACCEPT): S.ACCEPTED,
    (S.SUBMITTED, A.RETURN): S.RETURNED,
    (S.RETURNED, A.RESUBMIT): S.SUBMITTED,
    (S.ACCEPTED, A.INVESTIGATE): S.INVESTIGATED,
    (S.INVESTIGATED, A.REQUEST_CHECK): S.CHECK_REQUESTED,
    (S.CHECK_REQUESTED, A.REPORT_CHECK): S.CHECK_REPORTED,
    (S.CHECK_REPORTED, A.GIVE_OPINION): S.OPINION_GIVEN,
    (S.OPINION_GIVEN, A.PUBLISH_NOTICE): S.IN_NOTICE,
    (S.OPINION_GIVEN, A.REFER): S.AWAITING_DECISION,
    (S.IN_NOTICE, A.OBJECT): S.OBJECTION,
    (S.IN_NOTICE, A.CLOSE_NOTICE): S.AWAITING_DECISION,
    (S.OBJECTION, A.RESOLVE_OBJECTION): S.AWAITING_DECISION,
    (S.AWAITING_DECISION, A.APPROVE): S.ACTIVE,
    (S.AWAITING_DECISION, A.DENY): S.DENIED,
    (S.ACTIVE, A.REVIEW): S.ACTIVE,
    (S.ACTIVE, A.STOP): S.EXITED,
    **{(s, A.WITHDRAW): S.WITHDRAWN for s in (S.SUBMITTED, S.RETURNED, *PRE_DECISION)},
    **{(s, A.EXTEND): s for s in PRE_DECISION},
}

_TEKUN = {
    **_STANDARD,
    (S.OBJECTION, A.RESOLVE_OBJECTION): S.OPINION_GIVEN,  # 特困: notice again after an objection
    (S.ACTIVE, A.STOP): S.TERMINATION_NOTICE,
    (S.TERMINATION_NOTICE, A.STOP): S.EXITED,
    (S.TERMINATION_NOTICE, A.CANCEL_STOP): S.ACTIVE,
}

_ONE_OFF = {k: v for k, v in _STANDARD.items() if k[0] is not S.ACTIVE} | {
    (S.AWAITING_DECISION, A.APPROVE): S.PAID,
}

_PAY_FIRST = {
    **_ONE_OFF,
    (S.SUBMITTED, A.PAY_FIRST): S.PAID_FIRST,
    (S.ACCEPTED, A.PAY_FIRST): S.PAID_FIRST,
    (S.PAID_FIRST, A.COMPLETE_DOCUMENTS): S.PAID,
}


def transitions(programme: Programme) -> dict[tuple[Status, Action], Status]:
    if programme in PAY_FIRST:
        return _PAY_FIRST
    if programme in ONE_OFF:
        return _ONE_OFF
    return _TEKUN if programme is Programme.TEKUN else _STANDARD


def allowed_actions(programme: Programme, status: Status) -> list[Action]:
    return [a for (s, a) in transitions(programme) if s is status]


@dataclass(frozen=True)
class IllegalTransition(Exception):
    programme: Programme
    status: Status
    action: Action
    allowed: tuple[Action, ...]

    @property
    def message(self) -> Text:
        allowed = ", ".join(self.allowed) or "none"
        allowed_zh = "、".join(self.allowed) or "无"
        return Text(
            f"Cannot '{self.action}' an application that is '{self.status}'. Allowed now: {allowed}.",
            f"当前状态为“{self.status}”，不能执行“{self.action}”。当前允许的操作：{allowed_zh}。",
        )


def next_status(programme: Programme, status: Status, action: Action) -> Status:
    """The state ``action`` leads to, or ``IllegalTransition`` naming what is allowed instead."""
    target = transitions(programme).get((status, action))
    if target is None:
        raise IllegalTransition(programme, status, action, tuple(allowed_actions(programme, status)))
    return target
