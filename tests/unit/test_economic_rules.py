"""The economic-check rule forms E1–E5: over the limit and just under it, with local thresholds."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from services.matching.domain.economic import evaluate
from services.matching.domain.rules import Fact
from services.matching.domain.rules_config import load

RS = load()


def fact(source: str, amount: str | None = None, **attributes: Any) -> Fact:
    return Fact(
        source=source,
        record_id="r",
        person="p",
        amount=Decimal(amount) if amount else None,
        attributes=attributes,
    )


CASES = [
    ("E1", [fact("mohrss.pension", "2000")], 2, "110105", "fail"),  # 1000 per head = the standard
    ("E1", [fact("mohrss.pension", "1998")], 2, "110105", "pass"),
    ("E1", [fact("mohrss.pension", "2400")], 2, "330106", "pass"),  # 1200 < 杭州's 1240
    (
        "E1",
        [fact("mohrss.pension", "5000", kind="residents_basic_pension")],
        1,
        "110105",
        "pass",
    ),  # not income
    ("E2", [fact("bank.deposit", "24001")], 1, "110105", "fail"),  # > 2 × 12 × 1000
    ("E2", [fact("bank.deposit", "24000")], 1, "110105", "pass"),
    ("E3", [fact("mps.vehicle", type="car", value="50000")], 1, "110105", "fail"),
    ("E3", [fact("mps.vehicle", type="disabled_mobility", value="50000")], 1, "110105", "pass"),
    ("E3", [fact("mps.vehicle", type="car", value="8000")], 1, "110105", "pass"),  # low value
    ("E4", [fact("mnr.property", use="residential", floor_area="50")] * 2, 2, "110105", "fail"),
    ("E4", [fact("mnr.property", use="residential", floor_area="20")] * 2, 2, "110105", "pass"),  # small
    ("E4", [fact("mnr.property", use="shop", floor_area="20")], 3, "110105", "fail"),
    ("E5", [fact("samr.business", capital="10000")], 1, "110105", "fail"),
    ("E5", [], 1, "110105", "pass"),
]


@pytest.mark.parametrize(("rule", "facts", "size", "division", "expected"), CASES)
def test_rule_form(rule: str, facts: list[Fact], size: int, division: str, expected: str) -> None:
    results = {r["id"]: r["result"] for r in evaluate(RS, {0: facts}, size, division)}
    assert results[rule] == expected
