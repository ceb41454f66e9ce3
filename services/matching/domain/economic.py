"""The economic-check rule forms (domain.md §4) over the facts the rosters hold for a household.

Every threshold comes from the rules file, for the household's locality. A rule fails only on a
fact a roster holds; the report says which members no roster knows, because finding nothing about
a person is not proof that they have nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from services.matching.domain.rules import Fact
from services.matching.domain.rules_config import RuleSet

Members = Mapping[int, list[Fact]]  # member index → the facts the rosters hold about them
Result = tuple[bool, dict[str, Any]]  # (over the limit, evidence)


def _money(value: Any) -> Decimal:
    try:
        return Decimal(str(value)) if value not in (None, "") else Decimal(0)
    except ArithmeticError:
        return Decimal(0)


def _held(rs: RuleSet, fact: str, members: Mapping[int, list[Fact]]) -> list[tuple[int, Fact]]:
    return [(i, f) for i, facts in members.items() for f in facts if f.active and f.source in rs.facts[fact]]


def _cite(i: int, f: Fact, **more: Any) -> dict[str, Any]:
    return {"member_index": i, "source": f.source, "record_id": f.record_id, **more}


def income(rs: RuleSet, members: Members, size: int, division: str) -> Result:
    excluded = set(rs.thresholds.get("income_excluded_kinds", []))
    counted = [(i, f) for i, f in _held(rs, "income", members) if f.attributes.get("kind") not in excluded]
    total = sum((f.amount or Decimal(0) for _, f in counted), Decimal(0))
    per_capita = (total / size).quantize(Decimal("0.01"))
    standard = Decimal(str(rs.threshold("dibao_standard_monthly", division)))
    evidence = {
        "per_capita_monthly": str(per_capita),
        "standard": str(standard),
        "records": [_cite(i, f, monthly=str(f.amount)) for i, f in counted],
    }
    return per_capita >= standard, evidence


def money(rs: RuleSet, members: Members, size: int, division: str) -> Result:
    held = _held(rs, "deposit", members)
    per_capita = (sum((f.amount or Decimal(0) for _, f in held), Decimal(0)) / size).quantize(Decimal("0.01"))
    limit = (
        Decimal(str(rs.threshold("money_multiple", division)))
        * 12
        * Decimal(str(rs.threshold("dibao_standard_monthly", division)))
    )
    evidence = {"per_capita": str(per_capita), "limit": str(limit), "records": [_cite(i, f) for i, f in held]}
    return per_capita > limit, evidence


def vehicle(rs: RuleSet, members: Members, size: int, division: str) -> Result:
    exempt = set(rs.threshold("vehicle_exempt", division))
    below = _money(rs.threshold("vehicle_exempt_value_below", division))
    counted = []
    for i, f in _held(rs, "vehicle", members):
        kind, value = f.attributes.get("type"), _money(f.attributes.get("value"))
        if kind not in exempt and not (value and value < below):
            counted.append(_cite(i, f, type=kind, value=str(value)))
    return bool(counted), {"vehicles": counted}


def housing(rs: RuleSet, members: Members, size: int, division: str) -> Result:
    held = _held(rs, "property", members)
    homes = [(i, f) for i, f in held if f.attributes.get("use", "residential") == "residential"]
    other = [(i, f) for i, f in held if f.attributes.get("use", "residential") != "residential"]
    area = sum((_money(f.attributes.get("floor_area")) for _, f in homes), Decimal(0))
    average = _money(rs.threshold("average_floor_area_per_person", division))
    too_many = len(homes) >= 2 and area / size >= average
    evidence = {
        "homes": len(homes),
        "floor_area_per_person": str((area / size).quantize(Decimal("0.1"))),
        "average": str(average),
        "non_residential": [_cite(i, f, use=f.attributes.get("use")) for i, f in other],
        "records": [_cite(i, f) for i, f in homes],
    }
    return too_many or bool(other), evidence


def business(rs: RuleSet, members: Members, size: int, division: str) -> Result:
    above = _money(rs.threshold("business_capital_above", division))
    found = [
        _cite(i, f, capital=str(_money(f.attributes.get("capital"))))
        for i, f in _held(rs, "business", members)
        if not above or _money(f.attributes.get("capital")) > above
    ]
    return bool(found), {"businesses": found}


FORMS = {"income": income, "money": money, "vehicle": vehicle, "housing": housing, "business": business}


def evaluate(
    rs: RuleSet, members: Mapping[int, list[Fact]], size: int, division: str
) -> list[dict[str, Any]]:
    """Each check rule's result (``fail`` when the household is over its limit) and evidence."""
    out = []
    for rule in rs.checks:
        failed, evidence = FORMS[rule.kind](rs, members, max(size, 1), division)
        out.append(
            {
                "id": rule.id,
                "kind": rule.kind,
                "description": {"en": rule.text.en, "zh": rule.text.zh},
                "result": "fail" if failed else "pass",
                "evidence": evidence,
            }
        )
    return out
