"""Spreadsheet rows → drafts and row errors, without a database."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest

from services.intake.adapters.spreadsheet import COLUMNS, TemplateError, iter_rows, template_csv
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
from services.intake.domain.import_report import REPORT_HEADER, group_rejected, report_rows, row_errors_for
from services.intake.domain.import_rows import RowError, group_applications
from services.intake.domain.import_values import parse_date, parse_money
from services.intake.domain.programmes import Programme
from services.intake.domain.validation import check_application
from shared.codes.divisions import DivisionTable
from shared.codes.idnumber import check_character
from shared.errors import FieldError
from shared.i18n import Text
from tests.intake_data import make_id


def rows(*members: dict[str, str]) -> list[tuple[int, dict[str, str]]]:
    base = {"programme": "特困", "division_code": "110105001", "area_type": "农村", "relationship": "户主"}
    return [(i + 2, base | m) for i, m in enumerate(members)]


@pytest.mark.parametrize(
    "text", ["1990-03-07", "19900307", "1990/3/7", "1990年3月7日", "１９９０－０３－０７"]
)
def test_dates_in_the_forms_clerks_type(text: str) -> None:
    assert parse_date(text) == date(1990, 3, 7)


def test_money_accepts_separators_and_yuan() -> None:
    assert parse_money("1,200.50元") == Decimal("1200.50")
    with pytest.raises(ValueError):
        parse_money("一千")


def test_groups_must_be_contiguous_and_referenced() -> None:
    parsed = list(
        group_applications(
            rows(
                {"source_ref": "A", "name": "甲", "id_number": make_id()},
                {"source_ref": "B", "name": "乙", "id_number": make_id()},
                {"source_ref": "A", "name": "丙", "id_number": make_id()},
                {"source_ref": "", "name": "丁", "id_number": make_id()},
            )
        )
    )
    assert [(p.source_ref, p.rows) for p in parsed] == [("A", [2]), ("B", [3]), ("A", [4]), ("", [5])]
    assert [e.code for e in parsed[2].errors] == ["group_not_contiguous"]
    assert [e.code for e in parsed[3].errors] == ["source_ref_missing"] and parsed[3].draft is None
    assert parsed[0].draft is not None and parsed[0].draft.programme.value == "tekun"


def test_household_values_come_from_the_first_row_and_conflicts_are_reported() -> None:
    [parsed] = group_applications(
        rows(
            {"source_ref": "A", "name": "甲", "id_number": make_id()},
            {
                "source_ref": "A",
                "name": "乙",
                "id_number": make_id(),
                "relationship": "配偶",
                "area_type": "城镇",
            },
        )
    )
    [error] = parsed.errors
    assert (error.row, error.field, error.column, error.code) == (
        3,
        "area_type",
        "城乡类别",
        "household_field_conflict",
    )
    assert parsed.draft is not None and parsed.draft.area_type == "rural"


def test_validation_errors_land_on_their_rows() -> None:
    [parsed] = group_applications(
        rows(
            {"source_ref": "A", "name": "甲", "id_number": make_id(), "monthly_income": "100"},
            {
                "source_ref": "A",
                "name": "乙",
                "id_number": make_id(),
                "relationship": "子",
                "monthly_income": "50",
            },
        )
    )
    errors = [
        FieldError("body", ("members", 1, "id_number"), "id_number_check", Text("x", "x")),
        FieldError("body", ("income", 1, "monthly_amount"), "money_negative", Text("y", "y")),
        FieldError("body", ("members",), "head_of_household", Text("z", "z")),
    ]
    mapped = [(e.row, e.field, e.column) for e in row_errors_for(parsed, errors)]
    assert mapped == [(3, "id_number", "身份证号码"), (3, "monthly_income", "月收入"), (2, "", "")]


def test_the_template_reads_back_into_a_valid_application() -> None:
    read = list(iter_rows(io.BytesIO(template_csv().encode("utf-8-sig")), "template.csv", None))
    [parsed] = group_applications(read)
    assert parsed.draft is not None and parsed.errors == []
    checked = check_application(parsed.draft, DivisionTable.load(), date(2026, 11, 24), lambda _: True)
    assert checked.errors == []
    assert [m.relationship for m in checked.draft.members] == ["02", "10"]
    assert checked.draft.members[1].disability_category == 4 and checked.draft.applicant_index == 0


def test_missing_columns_are_named_in_both_languages() -> None:
    header = ",".join(c.en for c in COLUMNS if c.field != "relationship")
    with pytest.raises(TemplateError) as raised:
        list(iter_rows(io.BytesIO(header.encode()), "a.csv", None))
    assert "与户主关系" in raised.value.message.zh and "relationship" in raised.value.message.en


# A file of three applications, one member a row, as a township types it.
def _id(first17: str) -> str:
    return first17 + check_character(first17)


HEAD, WIFE, SON = _id("11010519800101001"), _id("11010519820202002"), _id("11010520100303003")
FILE_HEADER = ["申请编号", "救助项目", "户籍地区划代码", "城乡类别", "核对授权日期", "姓名", "身份证号码"]
FILE_HEADER += ["出生日期", "与户主关系", "是否申请人", "残疾类别", "劳动能力", "月收入", "财产类型"]
FILE_HEADER += ["财产价值", "备注"]
FILE_ROWS = [
    ["A-1", "城市低保", "110105001", "城镇", "2026-01-05", "张三明", HEAD, "1980-01-01", "户主"],
    ["A-1", "", "", "", "", "李四红", WIFE, "1982-13-40", "配偶"],  # row 3: no 13th month
    ["A-2", "农村低保", "110105001", "农村", "2026-01-05", "王五", SON, "", "户主", "", "", "", "九百元"],
    [],  # row 5: blank, skipped, but counted
    [
        "A-3",
        "特困",
        "110105001",
        "农村",
        "2026-01-05",
        "张三明",
        HEAD,
        "1980-01-01",
        "户主",
        "",
        "肢体",
        "部分丧失",
        "900.5",
        "存款",
        "3000",
        "村里填的",
    ],
    ["A-3", "特困人员救助供养", "110105001", "乡村", "2026-1-5", "李四红", WIFE, "", "10", "是", "", "", "0"],
]
GOOD = ApplicationDraft(
    programme=Programme.TEKUN,
    channel=Channel.IN_PERSON,
    division_code="110105001",
    area_type="rural",
    members=(
        MemberDraft(
            "张三明", HEAD, "02", None, date(1980, 1, 1), 4, None, work_capacity=WorkCapacity.PARTIAL
        ),
        MemberDraft("李四红", WIFE, "10"),
    ),
    applicant_index=1,
    income=(
        IncomeItem(IncomeKind.WAGE, Decimal("900.5"), 0, False),
        IncomeItem(IncomeKind.WAGE, Decimal("0"), 1, False),
    ),
    property=(PropertyItem(PropertyKind.DEPOSIT, Decimal("3000"), None, 0),),
    authorisation_signed_on=date(2026, 1, 5),
    source_ref="A-3",
)


def _csv(encoding: str, header: list[str] = FILE_HEADER, rows: list[list[str]] = FILE_ROWS) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    return out.getvalue().encode(encoding)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_a_csv_file_becomes_drafts_and_row_errors(encoding: str) -> None:
    data = _csv(encoding)
    if encoding == "gb18030":
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
    unknown: list[list[str]] = []
    parsed = list(
        group_applications(iter_rows(io.BytesIO(data), "申请.csv", "text/csv", on_unknown=unknown.append))
    )

    assert unknown == [["备注"]]
    assert [(p.source_ref, p.rows) for p in parsed] == [("A-1", [2, 3]), ("A-2", [4]), ("A-3", [6, 7])]
    bad_date, bad_money = parsed[0].errors, parsed[1].errors
    assert [(e.row, e.field, e.column, e.code, e.source_ref) for e in bad_date] == [
        (3, "birth_date", "出生日期", "date_invalid", "A-1")
    ]
    assert "1990-03-07" in bad_date[0].message.en and "1990-03-07" in bad_date[0].message.zh
    assert [(e.row, e.field, e.column, e.code) for e in bad_money] == [
        (4, "monthly_income", "月收入", "money_invalid")
    ]
    assert parsed[2].errors == [] and parsed[2].draft == GOOD
    # A bad value is left empty, so validation can still report the application's other problems.
    assert parsed[0].draft is not None and parsed[0].draft.members[1].birth_date is None


def _xlsx(rows: Iterable[Sequence[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_xlsx_file_reads_as_the_same_csv() -> None:
    typed: list[list[object]] = [list(r) for r in FILE_ROWS]
    typed[0][2], typed[0][7] = 110105001, date(1980, 1, 1)  # integer and date cells
    typed[2][2] = 110105001.0  # an integral float: no ".0"
    typed[4][4], typed[4][12], typed[4][14] = datetime(2026, 1, 5, 9, 30), 900.5, 3000
    typed[5][12] = 0
    data = _xlsx([FILE_HEADER, *typed])

    from_xlsx = list(iter_rows(io.BytesIO(data), None, None))  # found by its ZIP signature
    from_csv = list(iter_rows(io.BytesIO(_csv("utf-8")), "a.csv", None))
    assert from_xlsx == from_csv
    assert from_xlsx[0] == (
        2,
        {
            "source_ref": "A-1",
            "programme": "城市低保",
            "division_code": "110105001",
            "area_type": "城镇",
            "authorisation_signed_on": "2026-01-05",
            "name": "张三明",
            "id_number": HEAD,
            "birth_date": "1980-01-01",
            "relationship": "户主",
            "is_applicant": "",
            "disability_category": "",
            "work_capacity": "",
            "monthly_income": "",
            "property_kind": "",
            "property_value": "",
        },
    )


def test_every_row_of_a_split_application_is_reported() -> None:
    parsed = list(
        group_applications(
            rows(
                {"source_ref": "A", "name": "甲", "id_number": make_id()},
                {"source_ref": "B", "name": "乙", "id_number": make_id()},
                {"source_ref": "A", "name": "丙", "id_number": make_id(), "relationship": "配偶"},
                {"source_ref": "A", "name": "丁", "id_number": make_id(), "relationship": "子"},
            )
        )
    )
    assert [(e.row, e.code, e.field) for e in parsed[2].errors] == [
        (4, "group_not_contiguous", "source_ref"),
        (5, "group_not_contiguous", "source_ref"),
    ]
    assert parsed[0].errors == [] and parsed[1].errors == []


def test_a_missing_chinese_column_is_named_in_chinese() -> None:
    header = [h for h in FILE_HEADER if h != "姓名"]
    with pytest.raises(TemplateError) as raised:
        next(iter_rows(io.BytesIO(_csv("utf-8-sig", header, [])), "a.csv", None))
    assert "姓名" in raised.value.message.zh and "name" in raised.value.message.en


def test_headers_are_matched_loosely_but_not_twice() -> None:
    header = [
        "＊申请编号",
        "Programme",
        "户籍地区划代码（必填）",
        "AREA TYPE",
        "姓 名",
        "身份证号",
        "与户主关系",
    ]
    [(number, values)] = iter_rows(io.BytesIO(_csv("utf-8", header, [["A"] * 7])), "a.csv", None)
    assert number == 2 and set(values) == {
        "source_ref",
        "programme",
        "division_code",
        "area_type",
        "name",
        "id_number",
        "relationship",
    }
    with pytest.raises(TemplateError) as raised:
        next(iter_rows(io.BytesIO(_csv("utf-8", [*header, "公民身份号码"], [])), "a.csv", None))
    assert "公民身份号码" in raised.value.message.zh


def test_other_files_are_refused() -> None:
    with pytest.raises(ValueError):
        next(iter_rows(io.BytesIO(b"x"), "a.xls", None))
    with pytest.raises(TemplateError):
        next(iter_rows(io.BytesIO(b""), "a.csv", None))


def test_household_values_may_come_from_a_later_row_and_synonyms_agree() -> None:
    [parsed] = group_applications(
        rows(
            {"source_ref": "A", "name": "甲", "id_number": make_id(), "division_code": ""},
            {
                "source_ref": "A",
                "name": "乙",
                "id_number": make_id(),
                "relationship": "配偶",
                "area_type": "乡村",
            },
        )
    )
    assert parsed.errors == [] and parsed.draft is not None
    assert parsed.draft.division_code == "110105001" and parsed.field_rows["division_code"] == 3
    error = FieldError("body", ("division_code",), "division_unknown", Text("x", "x"))
    [mapped] = row_errors_for(parsed, [error])
    assert (mapped.row, mapped.field, mapped.column) == (3, "division_code", "户籍地区划代码")


def test_two_applicants_and_unknown_values_are_row_errors() -> None:
    [parsed] = group_applications(
        rows(
            {"source_ref": "A", "name": "甲", "id_number": make_id(), "is_applicant": "是"},
            {
                "source_ref": "A",
                "name": "乙",
                "id_number": make_id(),
                "relationship": "表哥",
                "is_applicant": "Y",
            },
            {
                "source_ref": "A",
                "name": "丙",
                "id_number": make_id(),
                "relationship": "子",
                "disability_grade": "5",
            },
        )
    )
    assert [(e.row, e.field, e.code) for e in parsed.errors] == [
        (3, "relationship", "relationship_code"),
        (4, "disability_grade", "value_unknown"),
        (3, "is_applicant", "applicant_twice"),
    ]


def test_rejected_rows_and_the_report() -> None:
    [parsed] = group_applications(
        rows(*({"source_ref": "A", "name": n, "id_number": make_id()} for n in ("甲", "乙", "丙")))
    )
    own = [RowError(3, "id_number", "身份证号码", "id_number_check", Text("bad", "错"), "A")]
    rejected = group_rejected(parsed, own)
    assert [e.row for e in rejected] == [2, 4] and {e.code for e in rejected} == {"application_rejected"}
    assert rejected[0].message == Text(
        "Not imported: application A has errors on row(s) 3", "未导入：申请编号 A 第 3 行有错误"
    )
    assert len(REPORT_HEADER) == 7
    assert list(report_rows(own)) == [["3", "A", "id_number", "身份证号码", "id_number_check", "错", "bad"]]
