"""Spreadsheet rows → drafts and row errors, without a database."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest

from services.intake.adapters.spreadsheet import TemplateError, iter_rows, template_csv
from services.intake.domain.import_rows import group_applications, row_errors_for
from services.intake.domain.import_values import COLUMNS, parse_date, parse_money
from services.intake.domain.validation import check_application
from shared.codes.divisions import DivisionTable
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
