"""Each cross-check rule D1–D7 and G1–G6 on small generated households: a case it must find and
a near miss it must not."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from services.matching.domain.rules import Fact, World, evaluate
from services.matching.domain.rules_config import RulesFileError, load, parse

TODAY = date(2026, 11, 30)
RS = load()
_n = iter(range(1, 10_000))


def born(age: int) -> date:
    return date(TODAY.year - age, 6, 1)


def rec(person: str, source: str, programme: str | None = None, **kw: Any) -> Fact:
    kw.setdefault("division", "110105001")
    return Fact(source=source, record_id=f"r{next(_n)}", person=person, programme=programme, **kw)


def aid(person: str, programme: str, home: str | None = "h1", **kw: Any) -> Fact:
    return rec(person, "mca.roster", programme, household=f"mca.roster:{home}" if home else None, **kw)


def rules_hit(*facts: Fact) -> set[str]:
    world: dict[str, list[Fact]] = {}
    for f in facts:
        world.setdefault(f.person, []).append(f)
    return {h.rule.id for h in evaluate(RS, World(world, TODAY), world)}


ADULT = {"born": born(40)}
CASES: list[tuple[str, list[Fact], str, bool]] = [
    (
        "D1 dibao + tekun",
        [aid("a", "dibao_urban", **ADULT), aid("a", "tekun", home="h9", **ADULT)],
        "D1",
        True,
    ),
    (
        "D1 tekun ended",
        [aid("a", "dibao_urban", **ADULT), aid("a", "tekun", status="stopped", **ADULT)],
        "D1",
        False,
    ),
    (
        "D2 dibao in two counties",
        [aid("a", "dibao_rural", **ADULT), aid("a", "dibao_urban", home="h2", division="330106001", **ADULT)],
        "D2",
        True,
    ),
    ("D2 one dibao record", [aid("a", "dibao_rural", **ADULT)], "D2", False),
    ("D3 edge + dibao", [aid("a", "dibao_edge", **ADULT), aid("a", "dibao_urban", **ADULT)], "D3", True),
    ("D3 edge alone", [aid("a", "dibao_edge", **ADULT), aid("a", "linshi", **ADULT)], "D3", False),
    (
        "D4 tekun minor + orphan",
        [aid("c", "tekun", born=born(10)), aid("c", "orphan_allowance", born=born(10))],
        "D4",
        True,
    ),
    (
        "D4 tekun adult + orphan",
        [aid("c", "tekun", born=born(19)), aid("c", "orphan_allowance", born=born(19))],
        "D4",
        False,
    ),
    (
        "D5 disability living + work injury",
        [aid("a", "disability_living_subsidy", **ADULT), aid("a", "work_injury_care_allowance", **ADULT)],
        "D5",
        True,
    ),
    (
        "D5 living + care (allowed together)",
        [aid("a", "disability_living_subsidy", **ADULT), aid("a", "disability_care_subsidy", **ADULT)],
        "D5",
        False,
    ),
    (
        "D6 dead and paid",
        [rec("a", "mps.death", start=date(2026, 3, 1)), aid("a", "dibao_urban", **ADULT)],
        "D6",
        True,
    ),
    (
        "D6 dead, aid stopped",
        [rec("a", "mps.death"), aid("a", "dibao_urban", status="stopped", **ADULT)],
        "D6",
        False,
    ),
    (
        "D7 two linshi, same reason, 3 months apart",
        [
            aid("a", "linshi_urgent", status="paid", start=date(2026, 1, 5), attributes={"reason": "fire"}),
            aid("a", "linshi_urgent", status="paid", start=date(2026, 4, 5), attributes={"reason": "fire"}),
        ],
        "D7",
        True,
    ),
    (
        "D7 different reasons",
        [
            aid("a", "linshi_urgent", status="paid", start=date(2026, 1, 5), attributes={"reason": "fire"}),
            aid(
                "a", "linshi_urgent", status="paid", start=date(2026, 4, 5), attributes={"reason": "illness"}
            ),
        ],
        "D7",
        False,
    ),
    (
        "G1 certificate in dibao household, no living subsidy",
        [rec("a", "cdpf.disability", attributes={"grade": 3}), aid("a", "dibao_urban", **ADULT)],
        "G1",
        True,
    ),
    (
        "G1 already has it",
        [
            rec("a", "cdpf.disability", attributes={"grade": 3}),
            aid("a", "dibao_urban", **ADULT),
            aid("a", "disability_living_subsidy", **ADULT),
        ],
        "G1",
        False,
    ),
    ("G2 grade 1 without care subsidy", [rec("a", "cdpf.disability", attributes={"grade": 1})], "G2", True),
    (
        "G2 grade 3 mental counts",
        [rec("a", "cdpf.disability", attributes={"grade": 3, "category": "mental"})],
        "G2",
        True,
    ),
    (
        "G2 grade 3 physical does not",
        [rec("a", "cdpf.disability", attributes={"grade": 3, "category": "physical"})],
        "G2",
        False,
    ),
    (
        "G3 old, alone in a dibao household, no income",
        [aid("old", "dibao_rural", born=born(78))],
        "G3",
        True,
    ),
    (
        "G3 old with a working-age son",
        [aid("old", "dibao_rural", born=born(78)), aid("son", "dibao_rural", born=born(45))],
        "G3",
        False,
    ),
    (
        "G3 old with a pension",
        [aid("old", "dibao_rural", born=born(78)), rec("old", "mohrss.pension", amount=Decimal("900"))],
        "G3",
        False,
    ),
    (
        "G4 edge member severely disabled",
        [aid("a", "dibao_edge", **ADULT), rec("a", "cdpf.disability", attributes={"grade": 2})],
        "G4",
        True,
    ),
    ("G4 edge member, no disability", [aid("a", "dibao_edge", **ADULT)], "G4", False),
    (
        "G5 tekun ended two months ago, nothing since",
        [aid("a", "tekun", status="stopped", active=False, end=TODAY - timedelta(days=60), **ADULT)],
        "G5",
        True,
    ),
    (
        "G5 moved to dibao",
        [
            aid("a", "tekun", status="stopped", active=False, end=TODAY - timedelta(days=60), **ADULT),
            aid("a", "dibao_urban", status="applying", **ADULT),
        ],
        "G5",
        False,
    ),
    (
        "G6 dibao household, contributions stopped",
        [aid("a", "dibao_urban", **ADULT), rec("a", "mohrss.contribution", active=False)],
        "G6",
        True,
    ),
    (
        "G6 high medical costs",
        [aid("a", "dibao_urban", **ADULT), rec("a", "nhsa.medical", attributes={"out_of_pocket": 35000})],
        "G6",
        True,
    ),
    (
        "G6 not a low-income household",
        [aid("a", "disability_living_subsidy", **ADULT), rec("a", "mohrss.unemployment")],
        "G6",
        False,
    ),
]


@pytest.mark.parametrize(("case", "facts", "rule", "expected"), CASES, ids=[c[0] for c in CASES])
def test_rule(case: str, facts: list[Fact], rule: str, expected: bool) -> None:
    assert (rule in rules_hit(*facts)) is expected, case


def test_every_rule_has_a_positive_and_a_negative_case() -> None:
    ids = {r.id for r in RS.rules}
    assert ids == {f"D{i}" for i in range(1, 8)} | {f"G{i}" for i in range(1, 7)}
    assert {c[2] for c in CASES if c[3]} == ids
    assert {c[2] for c in CASES if not c[3]} == ids


def test_a_finding_keeps_its_fingerprint_while_the_situation_stays() -> None:
    facts = [aid("x", "dibao_urban", **ADULT), aid("x", "tekun", **ADULT)]
    world = World({"x": facts}, TODAY)
    first = {h.fingerprint for h in evaluate(RS, world, ["x"])}
    facts2 = [aid("x", "dibao_urban", **ADULT), aid("x", "tekun", amount=Decimal("800"), **ADULT)]
    again = {h.fingerprint for h in evaluate(RS, World({"x": facts2}, TODAY), ["x"])}
    assert first == again and first


def test_a_rule_outside_its_validity_window_does_not_run() -> None:
    data = {
        "programmes": {"dibao": ["dibao"], "tekun": ["tekun"]},
        "rule": [{"id": "D1", "kind": "exclusive", "a": "dibao", "b": "tekun", "valid_to": "2025-12-31"}],
    }
    rs = parse(data)
    facts = {"a": [aid("a", "dibao"), aid("a", "tekun")]}
    assert evaluate(rs, World(facts, TODAY), ["a"]) == []
    assert len(evaluate(rs, World(facts, date(2025, 6, 1)), ["a"])) == 1


def test_locality_thresholds_override_the_default() -> None:
    assert RS.threshold("dibao_standard_monthly", "110105001") == 1000
    assert RS.threshold("dibao_standard_monthly", "330106001") == 1240


@pytest.mark.parametrize(
    "bad",
    [
        {"rule": [{"id": "X", "kind": "nonsense"}]},
        {"programmes": {}, "rule": [{"id": "X", "kind": "exclusive", "a": "dibao", "b": "tekun"}]},
        {"thresholds": {"a": 1}, "locality": {"11": {"b": 2}}},
        {
            "programmes": {"p": ["p"]},
            "rule": [{"id": "X", "kind": "repeated", "programme": "p", "severity": "huge"}],
        },
    ],
)
def test_a_wrong_rules_file_is_refused_with_the_rule_named(bad: dict[str, Any]) -> None:
    with pytest.raises(RulesFileError):
        parse(bad)
