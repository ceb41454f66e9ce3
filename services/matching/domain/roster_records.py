"""One line of a roster (the standard person record of ``architecture.md``), checked.

Identity fields are kept raw: a mistyped ID number, a traditional-script name or a birth date in
any of its forms is the matcher's business, never a reason to refuse a record. What is refused is
what cannot be stored as meant: a missing ``record_id`` or ``name``, a record of another source, a
division code that is not one, a date or an amount that is not one. Every refusal names its field,
in English and Chinese.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import orjson

from services.matching.engine.record import birth_date_of
from shared.codes.divisions import InvalidDivisionCode, significant_digits
from shared.codes.idnumber import is_valid_id18, normalize_id_number
from shared.i18n import Text

IDENTITY_FIELDS = ("id_type", "id_number", "name", "sex", "birth_date", "division_code", "address")
TEXT_LIMITS = {
    "record_id": 128,
    "name": 200,
    "id_type": 40,
    "id_number": 64,
    "sex": 8,
    "birth_date": 40,
    "address": 500,
    "household_ref": 128,
    "programme": 40,
    "status": 20,
}
MAX_AMOUNT = Decimal("9999999999.99")


@dataclass(frozen=True)
class Problem:
    field: str
    code: str
    message: Text


def problem(field: str, code: str, en: str, zh: str) -> Problem:
    return Problem(field, code, Text(en, zh))


NOT_OBJECT = problem("record", "not_json_object", "The line is not a JSON object", "该行不是 JSON 对象")


def _text(record: dict[str, Any], field: str, problems: list[Problem]) -> str | None:
    value = record.get(field)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        problems.append(problem(field, "not_text", f"{field} must be text", f"{field} 应为文本"))
        return None
    text = str(value).strip()
    if len(text) > TEXT_LIMITS[field]:
        limit = TEXT_LIMITS[field]
        problems.append(
            problem(field, "too_long", f"{field} is longer than {limit}", f"{field} 超过 {limit} 个字符")
        )
        return None
    return text or None


def _date(record: dict[str, Any], field: str, problems: list[Problem]) -> date | None:
    value = record.get(field)
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        problems.append(
            problem(
                field,
                "bad_date",
                f"{field} must be a date like 2024-03-01",
                f"{field} 应为日期，如 2024-03-01",
            )
        )
        return None


def _amount(record: dict[str, Any], problems: list[Problem]) -> Decimal | None:
    value = record.get("amount")
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value)) if not isinstance(value, bool) else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        problems.append(
            problem(
                "amount",
                "bad_amount",
                "amount must be a number of yuan ≥ 0",
                "amount 应为不小于 0 的金额（元）",
            )
        )
        return None
    return amount.quantize(Decimal("0.01"))


def _division(record: dict[str, Any], problems: list[Problem]) -> str | None:
    value = record.get("division_code")
    if value is None or value == "":
        return None
    try:
        return significant_digits(str(value).strip())
    except InvalidDivisionCode:
        problems.append(
            problem(
                "division_code",
                "bad_division_code",
                "division_code must be a division code of 6, 9 or 12 digits",
                "division_code 应为 6、9 或 12 位区划代码",
            )
        )
        return None


def valid_id18(raw: str | None) -> str | None:
    """The normalised ID number when it is a valid 18-character one (aid lookups go by it)."""
    normal = normalize_id_number(raw)
    return normal if normal and len(normal) == 18 and is_valid_id18(normal) else None


def content_hash(row: dict[str, Any]) -> str:
    data = orjson.dumps(row, option=orjson.OPT_SORT_KEYS, default=str)
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def parse_record(record: Any, source: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The columns of ``mt_record`` for one roster line of ``source``, or the problems with it."""
    if not isinstance(record, dict):
        return None, [NOT_OBJECT]
    problems: list[Problem] = []
    given_source = record.get("source")
    if given_source not in (None, "", source):
        problems.append(
            problem(
                "source",
                "other_source",
                f"the record belongs to {str(given_source)[:64]!r}, not to this roster ({source})",
                f"该记录属于 {str(given_source)[:64]!r}，不属于本名册（{source}）",
            )
        )
    record_id = _text(record, "record_id", problems)
    name = _text(record, "name", problems)
    if record_id is None and not any(p.field == "record_id" for p in problems):
        problems.append(problem("record_id", "required", "record_id is required", "缺少 record_id"))
    if name is None and not any(p.field == "name" for p in problems):
        problems.append(problem("name", "required", "name is required", "缺少姓名 name"))
    identity = {f: _text(record, f, problems) for f in IDENTITY_FIELDS if f not in ("name", "division_code")}
    division = _division(record, problems)
    aid = {
        "household_ref": _text(record, "household_ref", problems),
        "programme": _text(record, "programme", problems),
        "status": _text(record, "status", problems),
        "start_date": _date(record, "start_date", problems),
        "end_date": _date(record, "end_date", problems),
        "amount": _amount(record, problems),
    }
    attributes = record.get("attributes")
    if attributes is not None and not isinstance(attributes, dict):
        problems.append(
            problem(
                "attributes", "not_object", "attributes must be a JSON object", "attributes 应为 JSON 对象"
            )
        )
    if problems:
        return None, problems
    assert record_id is not None and name is not None
    fields = {**identity, "name": name, "division_code": division}
    id18 = valid_id18(identity["id_number"])
    row: dict[str, Any] = {
        "source": source,
        "record_id": record_id,
        "name": name,
        "fields": {k: v for k, v in fields.items() if v is not None},
        "id18": id18,
        "born": birth_date_of(identity["birth_date"], id18),
        "division_code": division,
        **aid,
        "attributes": attributes or None,
    }
    row["content_hash"] = content_hash({k: v for k, v in row.items() if k not in ("id18", "born")})
    return row, []
