"""How to reach a person: the address and phone number their rosters hold (the ``contact`` field
group of exchange's answers). The freshest active record that has one wins; each value says which
roster it came from, so a department can judge it. A phone number is a roster attribute (the
standard record has no phone field): ``phone``, ``mobile``, ``联系电话`` or ``手机``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from services.matching.adapters.orm import Record

PHONE_KEYS = ("phone", "mobile", "联系电话", "手机")


def phone_of(r: Record) -> str | None:
    attributes = r.attributes or {}
    for key in PHONE_KEYS:
        value = attributes.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
            return str(value).strip()
    return None


def _address(r: Record) -> str | None:
    value = (r.fields or {}).get("address")
    return value.strip() if isinstance(value, str) and value.strip() else None


def contact_of(records: Iterable[Record]) -> dict[str, dict[str, Any]]:
    """person id → {address, address_source, phone, phone_source} from their active records."""
    by_person: dict[str, list[Record]] = defaultdict(list)
    for r in records:
        if r.active and r.person_id:
            by_person[r.person_id].append(r)
    out = {}
    for person, held in by_person.items():
        held.sort(key=lambda r: (r.updated_at, r.pk), reverse=True)
        address = next((r for r in held if _address(r)), None)
        phone = next((r for r in held if phone_of(r)), None)
        out[person] = {
            "address": _address(address) if address else None,
            "address_source": address.source if address else None,
            "phone": phone_of(phone) if phone else None,
            "phone_source": phone.source if phone else None,
        }
    return out
