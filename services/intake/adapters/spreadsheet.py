"""Reading the import template from CSV or XLSX, streaming, in constant memory.

One row per household member; rows of one application share a 申请编号. Headers may be Chinese or
English (see ``COLUMNS``); values come out as stripped strings keyed by the canonical field name.
CSV is read as UTF-8 (with or without BOM) or, failing that, GB18030 (Excel on a Chinese system).
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any, BinaryIO

from services.intake.domain.import_values import COLUMNS
from shared.codes.idnumber import check_character
from shared.i18n import Text

_ALIASES = {
    "身份证号": "id_number",
    "公民身份号码": "id_number",
    "证件号码": "id_number",
    "关系": "relationship",
}
_HEADERS: dict[str, str] = {
    **{unicodedata.normalize("NFKC", c.zh): c.field for c in COLUMNS},
    **{c.en.casefold(): c.field for c in COLUMNS},
    **_ALIASES,
}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class TemplateError(ValueError):
    """The file is not the template: a required column is missing, or the header is empty."""

    def __init__(self, message: Text) -> None:
        super().__init__(message.en)
        self.message = message


def _field_of(header: str) -> str | None:
    key = unicodedata.normalize("NFKC", header).strip().replace(" ", "")
    return _HEADERS.get(key) or _HEADERS.get(key.casefold())


def _header_map(header: list[str]) -> list[str | None]:
    fields = [_field_of(h or "") for h in header]
    missing = [c for c in COLUMNS if c.required and c.field not in fields]
    if missing:
        zh = "、".join(c.zh for c in missing)
        en = ", ".join(f"{c.zh} ({c.en})" for c in missing)
        raise TemplateError(Text(f"Missing required column(s): {en}.", f"缺少必填列：{zh}。"))
    return fields


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _rows(records: Iterator[list[Any]]) -> Iterator[tuple[int, dict[str, str]]]:
    header = next(records, None)
    if header is None:
        raise TemplateError(Text("The file is empty.", "文件为空。"))
    fields = _header_map([_cell(h) for h in header])
    for number, record in enumerate(records, start=2):
        values = {f: _cell(v) for f, v in zip(fields, record, strict=False) if f is not None}
        if any(values.values()):
            yield number, values


def _text_stream(data: BinaryIO) -> io.TextIOWrapper:
    head = data.read(64 * 1024)
    data.seek(0)
    encoding = "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        encoding = "gb18030"
    return io.TextIOWrapper(data, encoding=encoding, newline="")


def is_xlsx(data: BinaryIO, filename: str | None, content_type: str | None) -> bool:
    if filename and filename.lower().endswith((".xlsx", ".xlsm")):
        return True
    if content_type and content_type.split(";")[0].strip() == XLSX_TYPE:
        return True
    magic = data.read(4)
    data.seek(0)
    return magic == b"PK\x03\x04"


def iter_rows(
    data: BinaryIO, filename: str | None, content_type: str | None
) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, {field: value}) for every non-blank data row; the header is row 1."""
    if is_xlsx(data, filename, content_type):
        # calamine (Rust) reads a sheet 10× faster than openpyxl; the sheet is held while read, and
        # an upload is capped (INTAKE_MAX_IMPORT_BYTES), so memory stays bounded.
        from python_calamine import CalamineWorkbook

        try:
            sheet = CalamineWorkbook.from_filelike(data).get_sheet_by_index(0)
        except Exception as exc:  # a broken or non-XLSX zip: the reader raises several kinds
            raise ValueError(f"not a readable XLSX file ({type(exc).__name__})") from exc
        yield from _rows(iter(sheet.iter_rows()))
        return
    if filename and not filename.lower().endswith((".csv", ".txt")):
        raise ValueError("the file name should end in .csv or .xlsx")
    yield from _rows(list(r) for r in csv.reader(_text_stream(data)))


def template_csv() -> str:
    """The template's header row (Chinese) and a two-person 城市低保 household as an example."""

    def valid_id(first17: str) -> str:
        return first17 + check_character(first17)

    head, spouse = valid_id("11010519800101001"), valid_id("11010519820202002")
    household = [
        "A-0001",
        "城市低保",
        "窗口",
        "110105001",
        "",
        "城镇",
        "建外街道某社区 3 号楼",
        "2026-01-05",
        "否",
        "",
    ]
    people = (
        f"张三明,{head},男,1980-01-01,户主,是,,,有劳动能力,900,工资,是,存款,3000",
        f"李四红,{spouse},女,1982-02-02,配偶,,4,2,部分丧失劳动能力,,,,,",
    )
    rows = [[c.zh for c in COLUMNS], *([*household, *p.split(",")] for p in people)]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()
