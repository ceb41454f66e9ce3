"""Valid (and deliberately invalid) application payloads for intake tests."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from shared.codes.idnumber import check_character

TOWNSHIP = "110105001"  # 北京市朝阳区 建外街道
OTHER_TOWNSHIP = "110105002"
COUNTY = "110105"
_serial = itertools.count(1)


def make_id(born: str = "19800101", *, male: bool = True, area: str = "110105") -> str:
    """A valid 18-character ID number, a different one on every call."""
    n = next(_serial)
    seq = (n * 2 + (1 if male else 0)) % 1000
    first17 = f"{area}{born}{seq:03d}"
    return first17 + check_character(first17)


def member(
    relationship: str = "02", born: str = "19800101", male: bool = True, name: str = "张三明"
) -> dict[str, Any]:
    return {"name": name, "id_number": make_id(born, male=male), "relationship": relationship}


def application(programme: str = "dibao_urban", township: str = TOWNSHIP, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "programme": programme,
        "channel": "in_person",
        "division_code": township,
        "area_type": "urban",
        "address": "建外街道某社区 3 号楼",
        "members": [
            member("02", "19800101", True, "张三明"),
            member("10", "19820202", False, "李四红"),
            member("20", "20150303", True, "张小明"),
        ],
        "income": [{"kind": "wage", "monthly_amount": "1200.50", "member_index": 0, "irregular": True}],
        "property": [{"kind": "deposit", "value": "3000"}],
        "authorisation_signed_on": (date.today() - timedelta(days=1)).isoformat(),
    }
    body.update(overrides)
    return body
