"""Spreadsheet rows → application drafts, and every problem as a row error people can act on.

Rows arrive one member each, grouped by 申请编号 (contiguous). A household-level column is read
from the first row of the group that fills it (usually the first row); a later row with another
value is a conflict. A group with any bad row is not imported: its bad rows are reported with
their own reasons, and its other rows with "not imported because of row …", so nothing is dropped
silently. Only the current group is held in memory (plus the set of 申请编号 seen, to catch a
group that is split).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from services.intake.domain.application import (
    HEAD_OF_HOUSEHOLD,
    ApplicationDraft,
    Channel,
    IncomeItem,
    IncomeKind,
    MemberDraft,
    PropertyItem,
    PropertyKind,
    WorkCapacity,
)
from services.intake.domain.import_values import (
    AREAS,
    CAPACITY,
    CHANNELS,
    COLUMNS,
    DISABILITY,
    GRADES,
    INCOME,
    NO,
    PROGRAMMES,
    PROPERTY,
    YES,
    BadValue,
    choice,
    flag,
    key,
    parse_date,
    parse_money,
)
from services.intake.domain.programmes import Programme
from shared.codes.tables import normalize_relationship
from shared.i18n import Text

Row = tuple[int, dict[str, str]]
T = TypeVar("T")
HOUSEHOLD_FIELDS = (
    "programme",
    "channel",
    "division_code",
    "residence_division_code",
    "area_type",
    "address",
    "authorisation_signed_on",
    "close_relative_filed",
    "reason",
)
COLUMN_NAMES = {c.field: c.zh for c in COLUMNS}  # field → its Chinese header, for row errors
MAX_REF = 100  # characters of a 申请编号 kept (the database column's width)


@dataclass(frozen=True)
class RowError:
    row: int
    field: str  # the column's canonical field name; "" for a problem of the whole row
    column: str  # the column's Chinese header; "" for a problem of the whole row
    code: str
    message: Text
    source_ref: str | None


@dataclass
class ParsedApplication:
    source_ref: str
    rows: list[int]
    # None when the rows do not make an application at all (no 申请编号, no programme or area
    # type). Otherwise built even when some value could not be read (that value left empty), so
    # that validation can report the group's other problems in the same pass; ``errors`` then
    # holds the read errors and the application must not be imported.
    draft: ApplicationDraft | None
    errors: list[RowError] = field(default_factory=list)
    field_rows: dict[str, int] = field(default_factory=dict)  # household field → the row it came from


def _parser(table: dict[str, str], make: Callable[[str], T], en: str, zh: str) -> Callable[[str], T]:
    """A parser of one enumerated column, built once (not per row)."""
    what = Text(en, zh)

    def parse(value: str) -> T:
        return make(choice(value, table, what))

    return parse


_programme = _parser(
    PROGRAMMES, Programme, "programme (城市低保 农村低保 特困 …)", "救助项目（城市低保 农村低保 特困 …）"
)
_channel = _parser(
    CHANNELS, Channel, "channel (窗口 网上 代办 主动发现)", "申请渠道（窗口 网上 代办 主动发现）"
)
_area = _parser(AREAS, str, "urban/rural type (城镇 or 农村)", "城乡类别（城镇或农村）")
_category = _parser(
    DISABILITY, int, "disability category (1-7 or 视力 … 多重)", "残疾类别（1-7 或 视力…多重）"
)
_grade = _parser(GRADES, int, "disability grade (1-4 or 一级 … 四级)", "残疾等级（1-4 或 一级…四级）")
_capacity = _parser(
    CAPACITY,
    WorkCapacity,
    "work capacity (有劳动能力 …)",
    "劳动能力（有劳动能力 部分丧失劳动能力 完全丧失劳动能力）",
)
_income_kind = _parser(
    INCOME, IncomeKind, "income kind (工资 经营 财产 转移 其他)", "收入类型（工资 经营 财产 转移 其他）"
)
_property_kind = _parser(
    PROPERTY,
    PropertyKind,
    "property kind (存款 房产 机动车 …)",
    "财产类型（存款 有价证券 房产 机动车 工商登记 其他）",
)


_HOUSEHOLD_TABLES = {"programme": PROGRAMMES, "channel": CHANNELS, "area_type": AREAS}
_HEAD = key("户主")


def _meaning(name: str, value: str) -> str:
    """What a household value says, so that 城镇 and 城市 (or 2026-1-5 and 2026-01-05) agree."""
    k = key(value)
    table = _HOUSEHOLD_TABLES.get(name)
    if table is not None:
        return table.get(k, k)
    if name == "close_relative_filed":
        return "1" if k in YES else "0" if k in NO else k
    if name == "authorisation_signed_on":
        try:
            return parse_date(value).isoformat()
        except BadValue:
            return k
    return k


class _Group:
    """One application's rows while they are read."""

    def __init__(self, ref: str, not_contiguous: bool = False) -> None:
        self.ref = ref
        self.not_contiguous = not_contiguous
        self.rows: list[int] = []
        self.household: dict[str, str] = {}  # field → first non-empty value
        self.field_rows: dict[str, int] = {}  # field → the row that value came from
        self.members: list[MemberDraft] = []
        self.income: list[IncomeItem] = []
        self.property: list[PropertyItem] = []
        self.applicants: list[int] = []
        self.errors: list[RowError] = []

    def error(self, row: int, name: str, bad: BadValue) -> None:
        self.errors.append(RowError(row, name, COLUMN_NAMES.get(name, ""), bad.code, bad.text, self.ref))

    def value(self, row: int, values: dict[str, str], name: str, parse: Callable[[str], T]) -> T | None:
        raw = values.get(name)
        if not raw:
            return None
        try:
            return parse(raw)
        except BadValue as bad:
            self.error(row, name, bad)
            return None

    def _household(self, number: int, values: dict[str, str]) -> None:
        household, rows = self.household, self.field_rows
        for name in HOUSEHOLD_FIELDS:
            new = values.get(name)
            if not new:
                continue
            old = household.get(name)
            if old is None:
                household[name], rows[name] = new, number
            elif new != old and _meaning(name, new) != _meaning(name, old):
                self.error(
                    number,
                    name,
                    BadValue(
                        "household_field_conflict",
                        f"Differs from row {rows[name]} of the same application; "
                        "household columns must agree on every row or be left blank",
                        f"与同一申请第 {rows[name]} 行不一致；家庭信息各行应相同或留空",
                    ),
                )

    def add(self, number: int, values: dict[str, str]) -> None:
        self._household(number, values)
        if self.not_contiguous:
            self.error(
                number,
                "source_ref",
                BadValue(
                    "group_not_contiguous",
                    f"Application {self.ref} appears earlier in the file: its rows must be adjacent",
                    f"申请编号 {self.ref} 在前面已出现：同一申请编号的各行应相邻",
                ),
            )
        self.rows.append(number)
        index = len(self.members)
        relationship = values.get("relationship", "")
        code = normalize_relationship(relationship) if relationship else None
        if code is None and relationship:
            if key(relationship) == _HEAD:
                code = HEAD_OF_HOUSEHOLD
            else:
                self.error(
                    number,
                    "relationship",
                    BadValue(
                        "relationship_code",
                        "Not a GB/T 4761 relationship (a code such as 02, 10, 20, or 户主 配偶 子 女 …)",
                        "不是有效的家庭关系（GB/T 4761 代码如 02、10、20，或名称：户主 配偶 子 女 …）",
                    ),
                )
        self.members.append(
            MemberDraft(
                name=values.get("name", ""),
                id_number=values.get("id_number", ""),
                relationship=code or relationship,
                sex=values.get("sex") or None,
                birth_date=self.value(number, values, "birth_date", parse_date),
                disability_category=self.value(number, values, "disability_category", _category),
                disability_grade=self.value(number, values, "disability_grade", _grade),
                work_capacity=self.value(number, values, "work_capacity", _capacity),
            )
        )
        if self.value(number, values, "is_applicant", flag):
            self.applicants.append(number)
        amount = self.value(number, values, "monthly_income", parse_money)
        if amount is not None:
            kind = self.value(number, values, "income_kind", _income_kind) or IncomeKind.WAGE
            irregular = bool(self.value(number, values, "income_irregular", flag))
            self.income.append(IncomeItem(kind, amount, index, irregular))
        worth = self.value(number, values, "property_value", parse_money)
        if worth is not None:
            what = self.value(number, values, "property_kind", _property_kind) or PropertyKind.OTHER
            self.property.append(PropertyItem(what, worth, None, index))

    def result(self) -> ParsedApplication:
        first, at = self.household, self.field_rows

        def read(name: str, parse: Callable[[str], T]) -> T | None:
            return self.value(at.get(name, self.rows[0]), first, name, parse)

        programme = read("programme", _programme)
        channel = read("channel", _channel)
        area = read("area_type", _area)
        signed = read("authorisation_signed_on", parse_date)
        close = read("close_relative_filed", flag)
        for name in ("programme", "area_type"):
            if name not in first:
                column = COLUMN_NAMES[name]
                self.error(
                    self.rows[0],
                    name,
                    BadValue("missing", f"Required: fill in {column}", f"必填：请填写{column}"),
                )
        if len(self.applicants) > 1:
            self.error(
                self.applicants[1],
                "is_applicant",
                BadValue(
                    "applicant_twice",
                    f"Only one applicant per application (row {self.applicants[0]} is marked already)",
                    f"每份申请只能有一名申请人（第 {self.applicants[0]} 行已标为申请人）",
                ),
            )
        out = ParsedApplication(self.ref, self.rows, None, self.errors, dict(at))
        if programme is None or area is None:
            return out
        out.draft = ApplicationDraft(
            programme=programme,
            channel=channel or Channel.IN_PERSON,
            division_code=first.get("division_code", ""),
            area_type=area,
            members=tuple(self.members),
            residence_division_code=first.get("residence_division_code"),
            address=first.get("address"),
            applicant_index=self.rows.index(self.applicants[0]) if self.applicants else None,
            income=tuple(self.income),
            property=tuple(self.property),
            authorisation_signed_on=signed,
            close_relative_filed=bool(close),
            reason=first.get("reason"),
            source_ref=self.ref,
        )
        return out


def group_applications(rows: Iterable[Row]) -> Iterator[ParsedApplication]:
    """Stream rows into applications, in file order (one group in memory at a time)."""
    seen: set[str] = set()
    group: _Group | None = None
    for number, values in rows:
        ref = values.get("source_ref", "").strip()[:MAX_REF]
        if not ref:
            if group is not None:  # keep file order in what is yielded
                yield group.result()
                group = None
            orphan = _Group("")
            orphan.error(
                number,
                "source_ref",
                BadValue(
                    "source_ref_missing",
                    "申请编号 (application_ref) is required: rows of one application share it",
                    "缺少申请编号：同一申请的各行填写相同的申请编号",
                ),
            )
            yield ParsedApplication("", [number], None, orphan.errors)
            continue
        if group is None or ref != group.ref:
            if group is not None:
                yield group.result()
            group = _Group(ref, not_contiguous=ref in seen)
            seen.add(ref)
        group.add(number, values)
    if group is not None:
        yield group.result()
