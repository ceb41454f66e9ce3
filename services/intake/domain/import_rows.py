"""Spreadsheet rows → application drafts, and every problem as a row error people can act on.

Rows arrive one member each, grouped by 申请编号 (contiguous). Household-level columns are read from
a group's first row. A group with any bad row is not imported: its bad rows are reported with
their own reasons, and its other rows with "not imported because of row …", so nothing is dropped
silently. Only the current group is held in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

from services.intake.domain.application import (
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
    PROGRAMMES,
    PROPERTY,
    BadValue,
    choice,
    flag,
    key,
    parse_date,
    parse_money,
)
from services.intake.domain.programmes import Programme
from shared.codes.tables import normalize_relationship
from shared.errors import FieldError
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


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    column: str
    code: str
    message: Text
    source_ref: str | None


@dataclass
class ParsedApplication:
    source_ref: str
    rows: list[int]
    draft: ApplicationDraft | None  # None when the rows do not make an application at all
    errors: list[RowError] = field(default_factory=list)  # values that could not be read


class _Group:
    """One application's rows while they are read."""

    def __init__(self, ref: str, not_contiguous: bool = False) -> None:
        self.ref = ref
        self.not_contiguous = not_contiguous
        self.rows: list[int] = []
        self.first: dict[str, str] = {}
        self.members: list[MemberDraft] = []
        self.income: list[IncomeItem] = []
        self.property: list[PropertyItem] = []
        self.applicants: list[int] = []
        self.errors: list[RowError] = []

    def error(self, row: int, name: str, bad: BadValue) -> None:
        self.errors.append(RowError(row, name, COLUMN_NAMES.get(name, ""), bad.code, bad.text, self.ref))

    def value(self, row: int, values: dict[str, str], name: str, parse: Callable[[str], T]) -> T | None:
        raw = values.get(name, "")
        if not raw:
            return None
        try:
            return parse(raw)
        except BadValue as bad:
            self.error(row, name, bad)
            return None

    def add(self, number: int, values: dict[str, str]) -> None:
        if not self.rows:
            self.first = {k: values.get(k, "") for k in HOUSEHOLD_FIELDS}
        else:
            for k in HOUSEHOLD_FIELDS:
                if values.get(k) and self.first.get(k) and values[k] != self.first[k]:
                    self.error(
                        number,
                        k,
                        BadValue(
                            "household_field_conflict",
                            f"Differs from row {self.rows[0]} of the same application",
                            f"与同一申请第 {self.rows[0]} 行不一致",
                        ),
                    )
        if self.not_contiguous:
            self.error(
                number,
                "source_ref",
                BadValue(
                    "group_not_contiguous",
                    "Rows of one application must be adjacent",
                    "同一申请编号的各行应相邻",
                ),
            )
        self.rows.append(number)
        index = len(self.members)
        relationship = values.get("relationship", "")
        if relationship and normalize_relationship(relationship) is None and key(relationship) != key("户主"):
            self.error(
                number,
                "relationship",
                BadValue(
                    "relationship_code", "Not a GB/T 4761 relationship", "不是有效的家庭关系（GB/T 4761）"
                ),
            )
        code = (
            "02"
            if key(relationship) == key("户主")
            else (normalize_relationship(relationship) or relationship)
        )
        category = self.value(
            number,
            values,
            "disability_category",
            lambda v: int(choice(v, DISABILITY, Text("disability category", "残疾类别"))),
        )
        grade = self.value(
            number,
            values,
            "disability_grade",
            lambda v: int(choice(v, GRADES, Text("disability grade", "残疾等级"))),
        )
        capacity = self.value(
            number,
            values,
            "work_capacity",
            lambda v: WorkCapacity(choice(v, CAPACITY, Text("work capacity", "劳动能力"))),
        )
        self.members.append(
            MemberDraft(
                name=values.get("name", ""),
                id_number=values.get("id_number", ""),
                relationship=code,
                sex=values.get("sex") or None,
                birth_date=self.value(number, values, "birth_date", parse_date),
                disability_category=category,
                disability_grade=grade,
                work_capacity=capacity,
            )
        )
        if self.value(number, values, "is_applicant", flag):
            self.applicants.append(number)
        amount = self.value(number, values, "monthly_income", parse_money)
        if isinstance(amount, Decimal):
            income_kind = self.value(
                number,
                values,
                "income_kind",
                lambda v: IncomeKind(choice(v, INCOME, Text("income kind", "收入类型"))),
            )
            irregular = bool(self.value(number, values, "income_irregular", flag))
            self.income.append(IncomeItem(income_kind or IncomeKind.WAGE, amount, index, irregular))
        value = self.value(number, values, "property_value", parse_money)
        if isinstance(value, Decimal):
            kind = self.value(
                number,
                values,
                "property_kind",
                lambda v: PropertyKind(choice(v, PROPERTY, Text("property kind", "财产类型"))),
            )
            self.property.append(PropertyItem(kind or PropertyKind.OTHER, value, None, index))

    def result(self) -> ParsedApplication:
        first, at = self.first, self.rows[0]
        programme = self.value(
            at, first, "programme", lambda v: Programme(choice(v, PROGRAMMES, Text("programme", "救助项目")))
        )
        channel = self.value(
            at, first, "channel", lambda v: Channel(choice(v, CHANNELS, Text("channel", "申请渠道")))
        )
        area = self.value(
            at, first, "area_type", lambda v: choice(v, AREAS, Text("urban/rural type", "城乡类别"))
        )
        signed = self.value(at, first, "authorisation_signed_on", parse_date)
        close = self.value(at, first, "close_relative_filed", flag)
        for name, parsed in (("programme", programme), ("area_type", area)):
            if parsed is None and not any(e.field == name for e in self.errors):
                self.error(at, name, BadValue("missing", "Required", "必填"))
        if len(self.applicants) > 1:
            self.error(
                self.applicants[1],
                "is_applicant",
                BadValue("applicant_twice", "Only one applicant per application", "每份申请只能有一名申请人"),
            )
        if programme is None or area is None:
            return ParsedApplication(self.ref, self.rows, None, self.errors)
        draft = ApplicationDraft(
            programme=programme,
            channel=channel or Channel.IN_PERSON,
            division_code=first.get("division_code", ""),
            area_type=area,
            members=tuple(self.members),
            residence_division_code=first.get("residence_division_code") or None,
            address=first.get("address") or None,
            applicant_index=self.rows.index(self.applicants[0]) if self.applicants else None,
            income=tuple(self.income),
            property=tuple(self.property),
            authorisation_signed_on=signed,
            close_relative_filed=bool(close),
            reason=first.get("reason") or None,
            source_ref=self.ref,
        )
        # Kept with its parse errors (a bad value left empty), so validation can still report the rest.
        return ParsedApplication(self.ref, self.rows, draft, self.errors)


def group_applications(rows: Iterable[Row]) -> Iterator[ParsedApplication]:
    """Stream rows into applications (one group in memory at a time)."""
    seen: set[str] = set()
    group: _Group | None = None
    for number, values in rows:
        ref = values.get("source_ref", "").strip()[:100]
        if not ref:
            if group is not None:  # keep file order in what is yielded
                yield group.result()
                group = None
            orphan = _Group("")
            orphan.error(
                number, "source_ref", BadValue("source_ref_missing", "申请编号 is required", "缺少申请编号")
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


_MEMBER_FIELDS = {
    "name",
    "id_number",
    "sex",
    "birth_date",
    "relationship",
    "disability_category",
    "disability_grade",
    "work_capacity",
}


def row_errors_for(parsed: ParsedApplication, errors: list[FieldError]) -> list[RowError]:
    """Validation errors of a draft, placed on the row and column they came from."""
    out = []
    draft = parsed.draft
    for e in errors:
        row, name = parsed.rows[0], str(e.path[0]) if e.path else ""
        if e.path[:1] == ("members",) and len(e.path) >= 2 and isinstance(e.path[1], int):
            row = parsed.rows[e.path[1]]
            name = str(e.path[2]) if len(e.path) > 2 and e.path[2] in _MEMBER_FIELDS else ""
        elif e.path[:1] in (("income",), ("property",)) and len(e.path) >= 2 and draft is not None:
            items = draft.income if e.path[0] == "income" else draft.property
            member = items[int(e.path[1])].member_index
            row = parsed.rows[member] if member is not None else row
            name = "monthly_income" if e.path[0] == "income" else "property_value"
        elif name == "applicant_index":
            name = "is_applicant"
        elif name == "members":
            name = ""
        message = e.message
        if "suggestion" in e.context:
            message = Text(
                f"{message.en} Suggested: {e.context['suggestion']}",
                f"{message.zh}建议：{e.context['suggestion']}",
            )
        out.append(RowError(row, name, COLUMN_NAMES.get(name, ""), e.code, message, parsed.source_ref))
    return out


def group_rejected(parsed: ParsedApplication, errors: list[RowError]) -> list[RowError]:
    """One line for each row of a rejected application that has no error of its own."""
    bad_rows = sorted({e.row for e in errors})
    shown = "、".join(str(r) for r in bad_rows[:10])
    text = Text(
        f"Not imported: application {parsed.source_ref} has errors on row(s) {shown.replace('、', ', ')}",
        f"未导入：申请编号 {parsed.source_ref} 第 {shown} 行有错误",
    )
    return [
        RowError(r, "", "", "application_rejected", text, parsed.source_ref)
        for r in parsed.rows
        if r not in bad_rows
    ]


REPORT_HEADER = [
    "行号 row",
    "申请编号 application_ref",
    "字段 field",
    "列名 column",
    "错误代码 code",
    "错误说明",
    "error",
]


def report_rows(errors: Iterable[RowError]) -> Iterator[list[str]]:
    for e in errors:
        yield [str(e.row), e.source_ref or "", e.field, e.column, e.code, e.message.zh, e.message.en]
