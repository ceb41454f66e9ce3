"""Where a problem goes in the import report: validation errors placed on their row and column,
the untouched rows of a rejected application, and the report's CSV lines (Chinese and English)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from services.intake.domain.import_rows import COLUMN_NAMES, ParsedApplication, RowError
from shared.errors import FieldError
from shared.i18n import Text

# Validation's member field names are the template's column names, except these.
_MEMBER_FIELDS = frozenset(
    {
        "name",
        "id_number",
        "sex",
        "birth_date",
        "relationship",
        "disability_category",
        "disability_grade",
        "work_capacity",
    }
)


def _place(parsed: ParsedApplication, path: tuple[str | int, ...]) -> tuple[int, str]:
    """The (row, column field) a validation path points at; field "" for the whole row."""
    rows, draft = parsed.rows, parsed.draft
    head = path[0] if path else ""
    index = path[1] if len(path) > 1 and isinstance(path[1], int) else None
    if head == "members":
        if index is None or not 0 <= index < len(rows):
            return rows[0], ""
        name = path[2] if len(path) > 2 else ""
        return rows[index], name if isinstance(name, str) and name in _MEMBER_FIELDS else ""
    if head in ("income", "property"):
        items = (draft.income if head == "income" else draft.property) if draft else ()
        member = items[index].member_index if index is not None and 0 <= index < len(items) else None
        row = rows[member] if member is not None and 0 <= member < len(rows) else rows[0]
        return row, "monthly_income" if head == "income" else "property_value"
    if head == "applicant_index":
        applicant = draft.applicant_index if draft else None
        ok = applicant is not None and 0 <= applicant < len(rows)
        return (rows[applicant] if ok and applicant is not None else rows[0]), "is_applicant"
    if isinstance(head, str) and head in COLUMN_NAMES:
        return parsed.field_rows.get(head, rows[0]), head
    return rows[0], ""


def row_errors_for(parsed: ParsedApplication, errors: list[FieldError]) -> list[RowError]:
    """Validation errors of a draft, placed on the row and column they came from."""
    out = []
    for e in errors:
        row, name = _place(parsed, e.path)
        message = e.message
        if "suggestion" in e.context:  # the message asks "did you mean the suggestion?": show it
            message = Text(
                f"{message.en} Suggested: {e.context['suggestion']}",
                f"{message.zh}建议：{e.context['suggestion']}",
            )
        out.append(RowError(row, name, COLUMN_NAMES.get(name, ""), e.code, message, parsed.source_ref))
    return out


def group_rejected(parsed: ParsedApplication, errors: list[RowError]) -> list[RowError]:
    """One line for each row of a rejected application that has no error of its own."""
    bad_rows = sorted({e.row for e in errors})
    shown = [str(r) for r in bad_rows[:10]] + (["…"] if len(bad_rows) > 10 else [])
    text = Text(
        f"Not imported: application {parsed.source_ref} has errors on row(s) {', '.join(shown)}",
        f"未导入：申请编号 {parsed.source_ref} 第 {'、'.join(shown)} 行有错误",
    )
    bad = set(bad_rows)
    return [
        RowError(r, "", "", "application_rejected", text, parsed.source_ref)
        for r in parsed.rows
        if r not in bad
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
    """One CSV line per error, under ``REPORT_HEADER``: Chinese message, then English."""
    for e in errors:
        yield [str(e.row), e.source_ref or "", e.field, e.column, e.code, e.message.zh, e.message.en]
