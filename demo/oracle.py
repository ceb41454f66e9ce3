"""What the system should find, worked out from the truth: the same rules (the shipped rules file)
over the generated records grouped by who they really are, and each household's economic check
over its members' true facts. Comparing this with what the system found from the dirty records
checks the whole chain: publication, normalisation, who is who, the rules, the workflow."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from demo.county import County
from services.matching.domain import economic
from services.matching.domain.rules import Fact, World, evaluate
from services.matching.domain.rules_config import load
from shared.codes.idnumber import parse_id_number

Key = tuple[str, frozenset[str]]  # (rule, the true IDs of the records behind a finding)


def _date(value: Any) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None


def _born(id18: str) -> date | None:
    return parse_id_number(id18).birth_date


def roster_facts(county: County) -> list[Fact]:
    out = []
    for source, records in county.rosters.items():
        for r in records:
            who = county.truth[(source, r["record_id"])]
            out.append(
                Fact(
                    source=source,
                    record_id=r["record_id"],
                    person=who,
                    programme=r.get("programme"),
                    status=r.get("status"),
                    start=_date(r.get("start_date")),
                    end=_date(r.get("end_date")),
                    amount=Decimal(r["amount"]) if r.get("amount") else None,
                    attributes=r.get("attributes") or {},
                    division=r.get("division_code"),
                    household=f"{source}:{r['household_ref']}" if r.get("household_ref") else None,
                    born=_born(who),
                    id18=who,
                )
            )
    return out


def intake_facts(applied: list[dict[str, Any]]) -> list[Fact]:
    """The records matching keeps of each application's members, as its workflow left them."""
    out = []
    for a in applied:
        final, body = a["final"], a["body"]
        active = final["status"] == "active"
        for position, m in enumerate(body["members"]):
            out.append(
                Fact(
                    source="intake",
                    record_id=f"{a['id']}/{position}",
                    person=m["id_number"],
                    programme=body["programme"],
                    status="active" if active else final["status"],
                    active=active,
                    amount=Decimal(final["amount"]) if active and final.get("amount") else None,
                    attributes={"relationship": m["relationship"]},
                    division=body["division_code"],
                    household=f"intake:{final['household_id']}",
                    born=_born(m["id_number"]),
                    id18=m["id_number"],
                )
            )
    return out


def truth_of(county: County, applied: list[dict[str, Any]]) -> dict[tuple[str, str], str]:
    truth = dict(county.truth)
    for a in applied:
        for position, m in enumerate(a["body"]["members"]):
            truth[("intake", f"{a['id']}/{position}")] = m["id_number"]
    return truth


def expected_findings(county: County, applied: list[dict[str, Any]]) -> Counter[Key]:
    facts: dict[str, list[Fact]] = defaultdict(list)
    for f in roster_facts(county) + intake_facts(applied):
        facts[f.person].append(f)
    world = World(dict(facts), date.today())
    truth = truth_of(county, applied)
    hits = evaluate(load(), world, world.facts)
    return Counter((h.rule.id, frozenset(truth[ref] for ref in h.records)) for h in hits)


def found_keys(county: County, applied: list[dict[str, Any]], found: list[dict[str, Any]]) -> Counter[Key]:
    truth = truth_of(county, applied)
    return Counter(
        (f["rule"], frozenset(truth.get((r["source"], r["record_id"]), "?") for r in f["records"]))
        for f in found
    )


def expected_checks(county: County, applied: list[dict[str, Any]]) -> dict[str, str]:
    """Application id → the economic check's outcome on its members' true roster facts."""
    rs = load()
    by_person: dict[str, list[Fact]] = defaultdict(list)
    for f in roster_facts(county):
        by_person[f.person].append(f)
    out = {}
    for a in applied:
        members = {i: by_person.get(m["id_number"], []) for i, m in enumerate(a["body"]["members"])}
        results = economic.evaluate(rs, members, len(members), a["body"]["division_code"])
        out[a["id"]] = "exceeds" if any(r["result"] == "fail" for r in results) else "meets"
    return out
