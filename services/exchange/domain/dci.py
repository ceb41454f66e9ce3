"""DCI (Social Protection Digital Convergence Initiative) shapes: a system built against the DCI
Social Registry / Integrated Beneficiary Registry APIs can search us synchronously.

Request: ``{"signature", "header": {version, message_id, message_ts, action: "search", sender_id,
receiver_id, total_count}, "message": {transaction_id, search_request: [{reference_id, timestamp,
search_criteria: {version, reg_type, reg_record_type, query_type, query, authorize: {purpose}},
locale}]}}``. Queries understood:

- ``idtype-value``: ``{"type": <an ID type naming the resident ID>, "value": "…"}`` (or the
  nested ``{"id_type", "id_value"}`` form);
- ``predicate``: ``[{"seq_num", "expression1": {"attribute_name", "operator": "eq",
  "attribute_value"}, "condition": "and", "expression2": {…}}]`` over ``name`` /
  ``given_name`` + ``surname``, ``birth_date`` and ``division_code``;
- ``expression``: ``{"seq": [{"attribute", "operator": "=", "value"}]}`` over the same.

Each search request is answered on its own (``status`` ``succ`` or ``rjct`` with a reason
code); a registry record is the IBR beneficiary record, as much of it as the caller's scopes
allow: enrolment status per programme always, the member's identifier with ``fields:identity``,
enrolment dates with ``fields:aid``, benefit amounts with ``fields:income``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

RESIDENT_ID_TYPES = frozenset(
    {
        "uin",
        "urn:dci:id:uin",
        "resident_id",
        "national_id",
        "cn:resident_id",
        "gmsfhm",
        "身份证",
        "居民身份证",
    }
)
ATTRIBUTES = {"name": "name", "full_name": "name", "birth_date": "birth_date", "birthdate": "birth_date",
              "division_code": "division_code", "address_division": "division_code"}  # fmt: skip
EQUALS = frozenset({"eq", "=", "=="})


class Unanswerable(ValueError):
    """A search request we cannot answer: ``code`` is the DCI status reason code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def to_query(criteria: Mapping[str, Any]) -> dict[str, str]:
    """A DCI search criteria as one of our lookup queries (``id_number`` or name + birth date)."""
    kind, query = criteria.get("query_type"), criteria.get("query")
    if kind == "idtype-value" and isinstance(query, Mapping):
        inner = query.get("value")
        id_type, value = (
            (inner.get("id_type"), inner.get("id_value"))
            if isinstance(inner, Mapping)
            else (query.get("type"), inner)
        )
        if str(id_type or "").lower() not in RESIDENT_ID_TYPES:
            raise Unanswerable(
                "rjct.query.invalid", f"unknown identifier type {id_type!r}; use UIN for the resident ID"
            )
        if not value:
            raise Unanswerable("rjct.query.invalid", "the identifier has no value")
        return {"id_number": str(value)}
    if kind == "predicate" and isinstance(query, list):
        pairs = [
            (e.get("attribute_name"), e.get("operator"), e.get("attribute_value"))
            for p in query
            if isinstance(p, Mapping)
            for e in (p.get("expression1"), p.get("expression2"))
            if isinstance(e, Mapping)
        ]
        return _attributes(pairs)
    if kind == "expression" and isinstance(query, Mapping):
        pairs = [
            (e.get("attribute"), e.get("operator"), e.get("value"))
            for e in query.get("seq", [])
            if isinstance(e, Mapping)
        ]
        return _attributes(pairs)
    raise Unanswerable("rjct.query_type.invalid", f"query_type {kind!r} is not supported here")


def _attributes(pairs: list[tuple[Any, Any, Any]]) -> dict[str, str]:
    out: dict[str, str] = {}
    given = surname = None
    for name, operator, value in pairs:
        if str(operator).lower() not in EQUALS:
            raise Unanswerable("rjct.query.invalid", f"operator {operator!r}: only equality is answered")
        key = str(name or "").lower()
        if key == "given_name":
            given = str(value)
        elif key == "surname":
            surname = str(value)
        elif key in ATTRIBUTES:
            out[ATTRIBUTES[key]] = str(value)
    if "name" not in out and (surname or given):
        out["name"] = f"{surname or ''}{given or ''}"  # 姓 then 名
    if not (out.get("name") and out.get("birth_date")):
        raise Unanswerable("rjct.query.invalid", "a name and a birth date are needed")
    return out


CARRIES = frozenset({"identity", "aid", "income"})  # the field groups an IBR record below holds


def reg_record(scoped: Mapping[str, Any], programmes: Mapping[str, str]) -> dict[str, Any]:
    """Our scoped answer as an IBR beneficiary record (``programmes``: code → display name)."""
    record: dict[str, Any] = {
        "assistance_unit": "member",
        "programme_identifier": [
            {"programme_code": code, "programme_name": programmes.get(code, code)}
            for code in scoped["enrolled"]
        ],
        "enrollment_status": "active" if any(scoped["enrolled"].values()) else "inactive",
        "enrollments": [
            {"programme_code": code, "enrollment_status": "active" if on else "inactive"}
            for code, on in scoped["enrolled"].items()
        ],
    }
    if "person_id" in scoped:
        record["member"] = {
            "@type": "Member",
            "member_identifier": [
                {"identifier_type": "snx:person_id", "identifier_value": scoped["person_id"]}
            ],
        }
    if "aid" in scoped:
        since = sorted(a["since"] for a in scoped["aid"] if a.get("since"))
        if since:
            record["enrollment_date"] = since[0]
        amounts = [a for a in scoped["aid"] if a.get("amount")]
        if amounts:
            record["benefits"] = [
                {"benefit_name": a["programme"], "benefit_amount": a["amount"], "currency": "CNY"}
                for a in amounts
            ]
    return record
