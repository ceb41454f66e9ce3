"""Reading the import template from CSV or XLSX, streaming, in constant memory per row.

One row per household member; rows of one application share a 申请编号. Headers may be Chinese or
English (see ``COLUMNS``); values come out as stripped strings keyed by the canonical field name.
CSV is read as UTF-8 (with or without BOM) or, failing that, GB18030 (Excel on a Chinese system),
decided on the first 64 KiB and decoded as it is read.

XLSX goes through calamine (Rust), not openpyxl: openpyxl's streaming mode (read_only) reads about
12,000 rows/s here, 20 s for a 250,000-row file before any validation, which alone would spend a
third of the import's 60 s budget; calamine reads the same file in 1.6 s. The price is memory:
calamine holds the sheet while it is read (about 1 KiB a row), bounded by the upload cap
(``INTAKE_MAX_IMPORT_BYTES``).
"""

from __future__ import annotations

import codecs
import csv
import io
import operator
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from typing import Any, BinaryIO

from services.intake.domain.import_values import COLUMNS, Column
from shared.codes.idnumber import check_character
from shared.i18n import Text

__all__ = ["COLUMNS", "XLSX_TYPE", "Column", "TemplateError", "is_xlsx", "iter_rows", "template_csv"]

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP_MAGIC = b"PK\x03\x04"
SNIFF_BYTES = 64 * 1024


def _header_key(header: str) -> str:
    """``" 身份证号码* "``, ``"ＩＤ_Number"``, ``"id number (必填)"`` → one key per column.

    NFKC (full width → half width), no whitespace, ``_`` or ``-`` anywhere, no required-column
    marks (``*``, ``(必填)``), case-folded.
    """
    text = "".join(unicodedata.normalize("NFKC", header).split())
    text = text.replace("_", "").replace("-", "").strip("*").removesuffix("(必填)").removesuffix("(选填)")
    return text.strip("*").casefold()


_ALIASES = {
    "身份证号": "id_number",
    "公民身份号码": "id_number",
    "证件号码": "id_number",
    "关系": "relationship",
}
_HEADERS: dict[str, str] = {
    **{_header_key(c.zh): c.field for c in COLUMNS},
    **{_header_key(c.en): c.field for c in COLUMNS},
    **{_header_key(alias): name for alias, name in _ALIASES.items()},
}


class TemplateError(ValueError):
    """The file is not the template: a required column is missing or doubled, or there is no header."""

    def __init__(self, message: Text) -> None:
        super().__init__(message.en)
        self.message = message


def _columns(header: list[str]) -> tuple[list[int], list[str], list[str]]:
    """(positions, fields) of the template's columns in this header, and the headers not known."""
    positions: list[int] = []
    fields: list[str] = []
    unknown: list[str] = []
    doubled: list[str] = []
    for i, text in enumerate(header):
        name = _HEADERS.get(_header_key(text))
        if name is None:
            if text.strip():
                unknown.append(text.strip())
        elif name in fields:
            doubled.append(text.strip())
        else:
            positions.append(i)
            fields.append(name)
    missing = [c for c in COLUMNS if c.required and c.field not in fields]
    if missing:
        zh = "、".join(c.zh for c in missing)
        en = ", ".join(f"{c.zh} ({c.en})" for c in missing)
        raise TemplateError(Text(f"Missing required column(s): {en}.", f"缺少必填列：{zh}。"))
    if doubled:
        raise TemplateError(
            Text(
                f"Column(s) given twice: {', '.join(doubled)}; keep one of each.",
                f"列重复：{'、'.join(doubled)}；每列只保留一个。",
            )
        )
    return positions, fields, unknown


def _cell(value: object) -> str:
    """An XLSX cell as the text a clerk sees (calamine gives str, float, int, bool, date, datetime)."""
    if isinstance(value, str):
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))  # 110105001.0 → "110105001"
        return f"{value:.15g}"  # Excel's 15 significant digits: 0.30000000000000004 → "0.3"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _rows(
    records: Iterable[list[Any]],
    clean: Callable[[Any], str],
    on_unknown: Callable[[list[str]], None] | None,
) -> Iterator[tuple[int, dict[str, str]]]:
    """Header = the first row with anything in it (row 1 in the template); rows keep their numbers."""
    numbered = enumerate(records, start=1)
    for _, record in numbered:
        header = [clean(v) for v in record]
        if any(header):
            break
    else:
        raise TemplateError(Text("The file is empty: no header row.", "文件为空：没有表头行。"))
    positions, fields, unknown = _columns(header)
    if unknown and on_unknown is not None:
        on_unknown(unknown)
    pick = operator.itemgetter(*positions)  # several positions: always a tuple
    width = max(positions) + 1
    padding = [""] * width
    for number, record in numbered:
        if len(record) < width:
            record = [*record, *padding[len(record) :]]
        values = dict(zip(fields, map(clean, pick(record)), strict=True))
        if any(values.values()):
            yield number, values


def _text_stream(data: BinaryIO) -> io.TextIOWrapper:
    head = data.read(SNIFF_BYTES)
    data.seek(0)
    encoding = "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        encoding = "gb18030"  # a superset of GBK and GB2312
    return io.TextIOWrapper(data, encoding=encoding, newline="")


def is_xlsx(data: BinaryIO, filename: str | None, content_type: str | None) -> bool:
    """By the content first (an XLSX file is a ZIP), then by file name or content type."""
    magic = data.read(4)
    data.seek(0)
    if magic == ZIP_MAGIC:
        return True
    if filename and filename.lower().endswith((".xlsx", ".xlsm")):
        return True
    return content_type is not None and content_type.split(";")[0].strip().lower() == XLSX_TYPE


def iter_rows(
    data: BinaryIO,
    filename: str | None,
    content_type: str | None,
    *,
    on_unknown: Callable[[list[str]], None] | None = None,
) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, {field: value}) for every non-blank data row; the header is row 1.

    Raises ``TemplateError`` when the header lacks a required column, ``ValueError`` when the
    file is neither CSV nor XLSX. ``on_unknown`` is called once with the headers that are not
    template columns (they are ignored).
    """
    if is_xlsx(data, filename, content_type):
        from python_calamine import CalamineWorkbook

        try:
            sheet = CalamineWorkbook.from_filelike(data).get_sheet_by_index(0)
        except Exception as exc:  # a broken or non-XLSX zip: the reader raises several kinds
            raise ValueError(f"not a readable XLSX file ({type(exc).__name__})") from exc
        # calamine's rows start at row 1 whatever the first used row is, so numbers are the sheet's.
        yield from _rows(sheet.iter_rows(), _cell, on_unknown)
        return
    if filename and not filename.lower().endswith((".csv", ".txt")):
        raise ValueError("the file name should end in .csv or .xlsx")
    yield from _rows(csv.reader(_text_stream(data)), str.strip, on_unknown)


def template_csv() -> str:
    """The template's header row (Chinese) and a two-person 城市低保 household as an example."""

    def valid_id(first17: str) -> str:
        return first17 + check_character(first17)

    household = {
        "source_ref": "A-0001",
        "programme": "城市低保",
        "channel": "窗口",
        "division_code": "110105001",
        "area_type": "城镇",
        "address": "建外街道某社区 3 号楼",
        "authorisation_signed_on": "2026-01-05",
        "close_relative_filed": "否",
    }
    people = (
        {
            "name": "张三明",
            "id_number": valid_id("11010519800101001"),  # sequence 001: odd, male
            "sex": "男",
            "birth_date": "1980-01-01",
            "relationship": "户主",
            "is_applicant": "是",
            "work_capacity": "有劳动能力",
            "monthly_income": "900",
            "income_kind": "工资",
            "income_irregular": "是",
            "property_kind": "存款",
            "property_value": "3000",
        },
        {
            "name": "李四红",
            "id_number": valid_id("11010519820202002"),  # sequence 002: even, female
            "sex": "女",
            "birth_date": "1982-02-02",
            "relationship": "配偶",
            "disability_category": "4",
            "disability_grade": "2",
            "work_capacity": "部分丧失劳动能力",
        },
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.zh for c in COLUMNS])
    writer.writerows([(household | p).get(c.field, "") for c in COLUMNS] for p in people)
    return out.getvalue()
