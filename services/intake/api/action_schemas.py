"""Bodies of the workflow actions: one model per action, each with the facts the law asks for."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from services.intake.domain.workflow import Action


# Yuan with fen: always two decimals once accepted ("800" → 800.00).
def _cents(amount: Decimal) -> Decimal:
    """Yuan to the fen; an infinite, NaN or absurd amount is an invalid field, never a crash."""
    if not amount.is_finite() or abs(amount) >= Decimal("1e10"):
        raise ValueError("an amount of yuan below ten billion, with at most 2 decimals")
    return amount.quantize(Decimal("0.01"))


Money = Annotated[Decimal, AfterValidator(_cents)]


class ActionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    on: date | None = Field(None, description="When it happened (default today; never in the future)")
    note: str | None = Field(None, max_length=1000)


class AcceptBody(ActionBody):
    close_relative_filed: bool | None = Field(None, description="近亲属备案 noticed at acceptance")


class ReturnBody(ActionBody):
    missing_items: list[str] = Field(min_length=1, max_length=50, description="一次性告知 the missing items")


class InvestigateBody(ActionBody):
    investigators: list[str] = Field(min_length=2, max_length=10, description="≥ 2 investigators who signed")
    findings: str | None = Field(None, max_length=2000)


class ReportCheckBody(ActionBody):
    report_ref: str = Field(max_length=100, description="核对报告编号")
    outcome: Literal["meets", "exceeds"] = Field(
        description="meets: within the limits; exceeds: over a limit"
    )


class OpinionBody(ActionBody):
    recommendation: Literal["approve", "deny"]
    proposed_amount: Money | None = Field(None, gt=0, max_digits=12, decimal_places=2)
    reason: str | None = Field(None, max_length=1000)


class PublishNoticeBody(ActionBody):
    start_on: date | None = Field(None, description="First day of the 7-day notice (default: on)")


class ObjectBody(ActionBody):
    summary: str = Field(max_length=1000, description="What the objection says (no names needed)")


class ResolveObjectionBody(ActionBody):
    outcome: Literal["upheld", "dismissed"] = Field(description="民主评议 result")
    minutes: str | None = Field(None, max_length=2000)


class ApproveBody(ActionBody):
    amount: Money = Field(
        gt=0, max_digits=12, decimal_places=2, description="Yuan per month (one-off: total)"
    )
    method: Literal["difference", "tiered"] = Field("difference", description="差额 or 分档")
    effective_month: str | None = Field(
        None, pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="Default: next month"
    )
    review_cycle_months: Literal[6, 12] | None = Field(None, description="Default by household category")


class DenyBody(ActionBody):
    reasons: list[str] = Field(min_length=1, max_length=20)


class ReviewBody(ActionBody):
    outcome: Literal["unchanged", "increase", "decrease", "stop"]
    new_amount: Money | None = Field(None, gt=0, max_digits=12, decimal_places=2)
    reason: str | None = Field(None, max_length=1000)


class StopBody(ActionBody):
    reason: Literal["income", "death", "moved", "imprisoned", "request", "other"]


class PayFirstBody(ActionBody):
    amount: Money = Field(gt=0, max_digits=12, decimal_places=2)
    reason: str = Field(max_length=1000, description="The emergency (急难情形)")


class ExtendBody(ActionBody):
    reason: str = Field(max_length=1000, description="Why this case needs 45 working days (特殊情况)")


BODIES: dict[Action, type[ActionBody]] = {
    Action.EXTEND: ExtendBody,
    Action.ACCEPT: AcceptBody,
    Action.RETURN: ReturnBody,
    Action.INVESTIGATE: InvestigateBody,
    Action.REPORT_CHECK: ReportCheckBody,
    Action.GIVE_OPINION: OpinionBody,
    Action.PUBLISH_NOTICE: PublishNoticeBody,
    Action.OBJECT: ObjectBody,
    Action.RESOLVE_OBJECTION: ResolveObjectionBody,
    Action.APPROVE: ApproveBody,
    Action.DENY: DenyBody,
    Action.REVIEW: ReviewBody,
    Action.STOP: StopBody,
    Action.PAY_FIRST: PayFirstBody,
}  # the other actions take an ActionBody: a date and a note

SUMMARIES: dict[Action, str] = {
    Action.ACCEPT: "Accept (受理)",
    Action.RETURN: "Return for missing items (补正)",
    Action.RESUBMIT: "Resubmit after correction",
    Action.INVESTIGATE: "Record the home investigation (入户调查)",
    Action.REQUEST_CHECK: "Request the economic check (提请核对)",
    Action.REPORT_CHECK: "Report the economic check (核对报告)",
    Action.GIVE_OPINION: "Preliminary opinion (初审意见)",
    Action.PUBLISH_NOTICE: "Publish the notice (公示)",
    Action.OBJECT: "Record an objection (异议)",
    Action.RESOLVE_OBJECTION: "Democratic appraisal held (民主评议)",
    Action.CLOSE_NOTICE: "Close the notice period",
    Action.REFER: "Refer a refusal to the county",
    Action.APPROVE: "Approve (审核确认)",
    Action.DENY: "Deny (不予确认)",
    Action.REVIEW: "Periodic review (动态复核)",
    Action.STOP: "Stop the aid (停发/退出)",
    Action.CANCEL_STOP: "Cancel a termination during its notice",
    Action.PAY_FIRST: "Pay first (先行救助)",
    Action.COMPLETE_DOCUMENTS: "Complete the documents (补齐手续)",
    Action.WITHDRAW: "Withdraw (撤回)",
    Action.EXTEND: "Extend the process to 45 working days (特殊情况延期)",
}
