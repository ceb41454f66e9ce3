"""Request and response schemas of the application API."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.intake.adapters.orm import Application, ApplicationAction
from services.intake.domain.application import (
    Agent,
    ApplicationDraft,
    Channel,
    IncomeItem,
    IncomeKind,
    MemberDraft,
    PropertyItem,
    PropertyKind,
    WorkCapacity,
)
from services.intake.domain.programmes import Programme
from services.intake.domain.workflow import Status, allowed_actions
from shared.codes.masking import mask_name


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MemberIn(Strict):
    name: str = Field(max_length=100, description="姓名")
    id_number: str = Field(
        max_length=40, description="公民身份号码 as typed (full-width, lower-case x accepted)"
    )
    relationship: str = Field(max_length=10, description="GB/T 4761 code relative to the 户主; 02 = 户主")
    sex: str | None = Field(
        None, max_length=10, description="GB/T 2261.1 (1/2) or 男/女; default from the ID"
    )
    birth_date: date | None = Field(None, description="Default from the ID; must agree with it")
    disability_category: int | None = Field(None, description="残疾类别 1-7")
    disability_grade: int | None = Field(None, description="残疾等级 1-4")
    work_capacity: WorkCapacity | None = None


class IncomeIn(Strict):
    kind: IncomeKind
    monthly_amount: Decimal = Field(description="Yuan per month, ≥ 0, at most 2 decimals")
    member_index: int | None = None
    irregular: bool = False


class PropertyIn(Strict):
    kind: PropertyKind
    value: Decimal = Field(description="Yuan, ≥ 0, at most 2 decimals")
    description: str | None = Field(None, max_length=200)
    member_index: int | None = None


class AgentIn(Strict):
    name: str = Field(max_length=100)
    id_number: str | None = Field(None, max_length=40)
    phone: str | None = Field(None, max_length=30)


class ApplicationCreate(Strict):
    programme: Programme
    channel: Channel = Channel.IN_PERSON
    division_code: str = Field(max_length=12, description="户籍地: township (9) or village (12 digits)")
    residence_division_code: str | None = Field(None, max_length=12, description="居住地, when different")
    area_type: Literal["urban", "rural"]
    address: str | None = Field(None, max_length=300)
    members: list[MemberIn] = Field(min_length=1, max_length=30)
    applicant_index: int | None = Field(None, description="The applying member; default the 户主")
    agent: AgentIn | None = None
    income: list[IncomeIn] = Field(default_factory=list, max_length=60)
    property: list[PropertyIn] = Field(default_factory=list, max_length=60)
    authorisation_signed_on: date | None = Field(None, description="核对授权书 signed on")
    close_relative_filed: bool = Field(False, description="近亲属备案")
    reason: str | None = Field(None, max_length=500)

    def to_draft(self) -> ApplicationDraft:
        return ApplicationDraft(
            programme=self.programme,
            channel=self.channel,
            division_code=self.division_code,
            residence_division_code=self.residence_division_code,
            area_type=self.area_type,
            address=self.address,
            members=tuple(MemberDraft(**m.model_dump()) for m in self.members),
            applicant_index=self.applicant_index,
            agent=Agent(**self.agent.model_dump()) if self.agent else None,
            income=tuple(IncomeItem(**i.model_dump()) for i in self.income),
            property=tuple(PropertyItem(**p.model_dump()) for p in self.property),
            authorisation_signed_on=self.authorisation_signed_on,
            close_relative_filed=self.close_relative_filed,
            reason=self.reason,
        )


class MemberRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    id_number: str
    relationship: str
    sex: str | None
    birth_date: date | None
    disability_category: int | None
    disability_grade: int | None
    work_capacity: str | None


class Deadlines(BaseModel):
    step: str | None
    step_due_on: date | None
    process_due_on: date | None
    overdue: bool


class Precheck(BaseModel):
    status: Literal["pending", "done"]
    attempts: int
    checked_at: datetime | None
    result: dict[str, Any] | None


class ApplicationRead(BaseModel):
    id: str
    programme: str
    channel: str
    status: str
    allowed_actions: list[str]
    household_id: str
    division_code: str
    residence_division_code: str | None
    area_type: str
    address: str | None
    members: list[MemberRead]
    applicant_index: int
    declaration: dict[str, Any]
    authorisation_signed_on: date | None
    close_relative_filed: bool
    reason: str | None
    source_ref: str | None
    submitted_at: datetime
    updated_at: datetime
    version: int
    accepted_on: date | None
    missing_items: list[str] | None
    recommendation: str | None
    proposed_amount: Decimal | None
    notice_start_on: date | None
    notice_end_on: date | None
    notice_rounds: int
    decided_on: date | None
    amount: Decimal | None
    payment_method: str | None
    effective_month: str | None
    review_cycle_months: int | None
    next_review_on: date | None
    deadlines: Deadlines
    precheck: Precheck
    warnings: list[str] = []


def _deadlines(app: Application, today: date) -> Deadlines:
    overdue = any(d is not None and d < today for d in (app.step_due_on, app.process_due_on))
    return Deadlines(
        step=app.step, step_due_on=app.step_due_on, process_due_on=app.process_due_on, overdue=overdue
    )


def application_read(app: Application, today: date, warnings: list[str] | None = None) -> ApplicationRead:
    hh = app.household
    fields = {c: getattr(app, c) for c in ApplicationRead.model_fields if hasattr(Application, c)}
    return ApplicationRead(
        **fields,
        allowed_actions=[a.value for a in allowed_actions(Programme(app.programme), Status(app.status))],
        residence_division_code=hh.residence_division_code,
        area_type=hh.area_type,
        address=hh.address,
        members=[MemberRead.model_validate(m) for m in hh.members],
        deadlines=_deadlines(app, today),
        precheck=Precheck(
            status=app.precheck_status,
            attempts=app.precheck_attempts,
            checked_at=app.precheck_checked_at,
            result=app.precheck_result,
        ),
        warnings=warnings or [],
    )


class ApplicationSummary(BaseModel):
    """A list row: no ID numbers, the applicant's name masked."""

    id: str
    programme: str
    status: str
    division_code: str
    household_size: int
    applicant: str | None
    submitted_at: datetime
    deadlines: Deadlines
    next_review_on: date | None
    precheck_status: str
    source_ref: str | None


def application_summary(app: Application, today: date) -> ApplicationSummary:
    applicant = app.household.members[app.applicant_index] if app.household.members else None
    return ApplicationSummary(
        id=app.id,
        programme=app.programme,
        status=app.status,
        division_code=app.division_code,
        household_size=app.household_size,
        applicant=mask_name(applicant.name) if applicant else None,
        submitted_at=app.submitted_at,
        next_review_on=app.next_review_on,
        precheck_status=app.precheck_status,
        source_ref=app.source_ref,
        deadlines=_deadlines(app, today),
    )


class ApplicationPage(BaseModel):
    items: list[ApplicationSummary]
    next_cursor: str | None


class ActionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    action: str
    from_status: str | None
    to_status: str
    actor: str
    at: datetime
    on: date
    details: dict[str, Any]


def history_read(rows: list[ApplicationAction]) -> list[ActionRead]:
    return [ActionRead.model_validate(r) for r in rows]
