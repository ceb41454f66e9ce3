"""What a township submits: the household, its members, the declaration, the authorisation.

Plain data, the same for the JSON API and the spreadsheet import: both build an
``ApplicationDraft`` and hand it to ``validation.check_application``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from services.intake.domain.programmes import Programme


class Channel(StrEnum):
    IN_PERSON = "in_person"  # 窗口受理
    ONLINE = "online"  # 网上申请
    AGENT = "agent"  # 委托代办 (an agent applies for the household)
    OUTREACH = "outreach"  # 主动发现 (found by outreach: a missed-aid finding, a village cadre)


class WorkCapacity(StrEnum):
    FULL = "full"  # 有劳动能力
    PARTIAL = "partial"  # 部分丧失劳动能力
    NONE = "none"  # 完全丧失劳动能力


class IncomeKind(StrEnum):
    WAGE = "wage"  # 工资性收入
    BUSINESS = "business"  # 经营净收入
    PROPERTY = "property"  # 财产净收入
    TRANSFER = "transfer"  # 转移净收入 (pensions, support payments)
    OTHER = "other"


class PropertyKind(StrEnum):
    DEPOSIT = "deposit"  # 存款
    SECURITIES = "securities"  # 有价证券、理财
    HOUSE = "house"  # 房产
    VEHICLE = "vehicle"  # 机动车
    BUSINESS = "business"  # 工商登记
    OTHER = "other"


HEAD_OF_HOUSEHOLD = "02"  # GB/T 4761: 户主


@dataclass(frozen=True)
class MemberDraft:
    name: str
    id_number: str  # raw, as typed: normalised by validation
    relationship: str  # GB/T 4761 code relative to the 户主 ("02" for the 户主 itself)
    sex: str | None = None  # GB/T 2261.1; taken from the ID number when absent
    birth_date: date | None = None  # taken from the ID number when absent
    disability_category: int | None = None  # 1-7 (视力 … 多重)
    disability_grade: int | None = None  # 1-4, 1 most severe
    work_capacity: WorkCapacity | None = None


@dataclass(frozen=True)
class IncomeItem:
    kind: IncomeKind
    monthly_amount: Decimal
    member_index: int | None = None  # whose income; None: the household's
    irregular: bool = False  # 收入不稳定 (decides the review cycle)


@dataclass(frozen=True)
class PropertyItem:
    kind: PropertyKind
    value: Decimal
    description: str | None = None
    member_index: int | None = None


@dataclass(frozen=True)
class Agent:
    """Who applied on the household's behalf (委托代办)."""

    name: str
    id_number: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class ApplicationDraft:
    programme: Programme
    channel: Channel
    division_code: str  # 户籍地: township (9) or village (12)
    area_type: str  # urban | rural
    members: tuple[MemberDraft, ...]
    residence_division_code: str | None = None  # 居住地 when different
    address: str | None = None
    applicant_index: int | None = None  # the member who applies; None: the 户主
    agent: Agent | None = None
    income: tuple[IncomeItem, ...] = ()
    property: tuple[PropertyItem, ...] = ()
    authorisation_signed_on: date | None = None  # 核对授权书 signed on
    close_relative_filed: bool = False  # 近亲属备案: a member is a close relative of staff or a cadre
    reason: str | None = None  # why the household applies (临时救助: the emergency or expense)
    source_ref: str | None = field(default=None)  # the importer's own reference (申请编号)
