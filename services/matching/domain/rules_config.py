"""The cross-check rules file (``data/rules.toml``): programmes, facts, thresholds, rules, checks.

Loaded and checked once; a file that names an unknown programme group, fact, rule kind or
threshold fails at start-up with the rule's id, not at the first finding.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from shared.i18n import Text

SHIPPED = Path(__file__).parent / "data" / "rules.toml"
DUPLICATE_KINDS = frozenset({"exclusive", "same_programme_twice", "paid_after", "repeated"})
MISSED_KINDS = frozenset(
    {
        "missed_living_subsidy",
        "missed_care_subsidy",
        "possible_tekun",
        "single_person_dibao",
        "tekun_ended",
        "income_shock",
    }
)
CHECK_KINDS = frozenset({"income", "money", "vehicle", "housing", "business"})
SEVERITY_RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1}


class RulesFileError(ValueError):
    pass


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    severity: str
    text: Text
    params: dict[str, Any]
    valid_from: date | None = None
    valid_to: date | None = None

    @property
    def finding_kind(self) -> str:
        return "duplicate" if self.kind in DUPLICATE_KINDS else "missed"

    def in_force(self, on: date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_to is None or on <= self.valid_to
        )


@dataclass(frozen=True)
class RuleSet:
    version: str
    programmes: dict[str, frozenset[str]]
    facts: dict[str, frozenset[str]]
    thresholds: dict[str, Any]
    localities: dict[str, dict[str, Any]]
    rules: list[Rule]
    checks: list[Rule] = field(default_factory=list)

    def group_of(self, programme: str | None) -> str | None:
        if programme:
            for group, codes in self.programmes.items():
                if programme in codes:
                    return group
        return None

    def fact_of(self, source: str) -> str | None:
        for fact, sources in self.facts.items():
            if source in sources:
                return fact
        return None

    def threshold(self, name: str, division: str | None = None) -> Any:
        """A threshold, as the most specific locality covering ``division`` sets it."""
        best, length = self.thresholds[name], -1
        for prefix, values in self.localities.items():
            if division and division.startswith(prefix) and name in values and len(prefix) > length:
                best, length = values[name], len(prefix)
        return best


def _rule(
    raw: dict[str, Any], kinds: frozenset[str], programmes: dict[str, Any], facts: dict[str, Any]
) -> Rule:
    rid = raw.get("id", "?")
    if raw.get("kind") not in kinds:
        raise RulesFileError(f"rule {rid}: unknown kind {raw.get('kind')!r}")
    params = {
        k: v
        for k, v in raw.items()
        if k not in ("id", "kind", "severity", "zh", "en", "valid_from", "valid_to")
    }
    groups = [params.get("a"), params.get("b"), params.get("programme"), *params.get("programmes", [])]
    groups += [g for pair in params.get("also", []) for g in pair]
    for g in groups:
        if g is not None and g not in programmes:
            raise RulesFileError(f"rule {rid}: unknown programme group {g!r}")
    for f in params.get("facts", []):
        if f not in facts:
            raise RulesFileError(f"rule {rid}: unknown fact {f!r}")
    severity = raw.get("severity", "medium")
    if severity not in SEVERITY_RANK:
        raise RulesFileError(f"rule {rid}: unknown severity {severity!r}")
    return Rule(
        id=rid,
        kind=raw["kind"],
        severity=severity,
        text=Text(raw.get("en", rid), raw.get("zh", rid)),
        params=params,
        valid_from=date.fromisoformat(raw["valid_from"]) if raw.get("valid_from") else None,
        valid_to=date.fromisoformat(raw["valid_to"]) if raw.get("valid_to") else None,
    )


def parse(data: dict[str, Any]) -> RuleSet:
    programmes = {k: frozenset(v) for k, v in data.get("programmes", {}).items()}
    facts = {k: frozenset(v) for k, v in data.get("facts", {}).items()}
    thresholds = dict(data.get("thresholds", {}))
    localities = {str(k): dict(v) for k, v in data.get("locality", {}).items()}
    for prefix, values in localities.items():
        unknown = set(values) - set(thresholds)
        if unknown:
            raise RulesFileError(f"locality {prefix}: unknown thresholds {sorted(unknown)}")
    rules = [_rule(r, DUPLICATE_KINDS | MISSED_KINDS, programmes, facts) for r in data.get("rule", [])]
    checks = [_rule(r, CHECK_KINDS, programmes, facts) for r in data.get("check", [])]
    ids = [r.id for r in rules + checks]
    if len(ids) != len(set(ids)):
        raise RulesFileError("rule ids must be unique")
    return RuleSet(str(data.get("version", "?")), programmes, facts, thresholds, localities, rules, checks)


@lru_cache(maxsize=8)
def load(path: Path = SHIPPED) -> RuleSet:
    with path.open("rb") as f:
        return parse(tomllib.load(f))
