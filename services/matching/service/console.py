"""What the review console shows: the queue, a pair side by side, a finding, a household's whole
aid picture, the decision history and the overview — assembled from the stores, personal data
masked (domain.md §6) unless a reviewer asks to see it, and then logged (``mt_view_log``)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from services.matching.adapters.console_repository import ConsoleRepository, QueueFilter
from services.matching.adapters.findings_repository import FindingRepository
from services.matching.adapters.orm import Finding, GreyPair, Record
from services.matching.adapters.repository import RecordRepository, Ref
from services.matching.domain.rules_config import RuleSet
from services.matching.engine.index import compare_records
from services.matching.service import findings, review
from services.matching.service.contact import phone_of
from services.matching.service.person_index import IdentityIndex, standard
from shared.codes.masking import mask_address, mask_id_number, mask_name, mask_phone
from shared.db import Database
from shared.errors import BadRequest, NotFound
from shared.events.outbox import utcnow
from shared.i18n import Text

QUEUE_LIMIT = 200
REVEALED = ("name", "id_number", "address", "phone")  # what "show" unmasks

# evidence code → how the console marks the field
MARKS = {
    "agree": {"id_exact", "name_exact", "birth_exact", "sex_agrees", "same_village", "same_township"},
    "repaired": {"id_repaired", "birth_swapped", "birth_typo"},
    "homophone": {"name_homophone", "name_near_homophone", "name_similar"},
    "missing": {"id_missing", "name_missing", "birth_missing", "sex_missing", "division_missing"},
}


def mark(code: str) -> str:
    return next((m for m, codes in MARKS.items() if code in codes), "differ")


def record_view(r: Record, reveal: bool = False) -> dict[str, Any]:
    """A record as the console shows it: identity and contact masked unless ``reveal``."""
    f = r.fields or {}
    name, id_number, address, phone = f.get("name"), f.get("id_number"), f.get("address"), phone_of(r)
    return {
        "source": r.source,
        "record_id": r.record_id,
        "person_id": r.person_id,
        "name": name if reveal else mask_name(name),
        "id_number": id_number if reveal else mask_id_number(id_number),
        "address": address if reveal else mask_address(address),
        "phone": phone if reveal else mask_phone(phone),
        "sex": f.get("sex"),
        "birth_date": f.get("birth_date"),
        "division_code": r.division_code,
        "household_ref": r.household_ref,
        "programme": r.programme,
        "status": r.status,
        "start_date": r.start_date,
        "end_date": r.end_date,
        "review_date": (r.attributes or {}).get("review_date"),
        "amount": r.amount,
        "active": r.active,
    }


def _age_days(at: datetime, now: datetime) -> int:
    when = at if at.tzinfo else at.replace(tzinfo=UTC)
    return max(0, (now - when).days)


def queue(db: Database, rs: RuleSet, f: QueueFilter, limit: int = QUEUE_LIMIT) -> dict[str, Any]:
    now = utcnow()
    with db.unit_of_work() as uow:
        repo = ConsoleRepository(uow.session)
        pairs, pairs_total = repo.open_pairs(f, limit)
        found, findings_total = repo.open_findings(f, limit)
        by_rule = FindingRepository(uow.session).counts_by_rule()
        return {
            "pairs": [
                {
                    "id": p.id,
                    "probability": p.probability,
                    "reason": p.reason,
                    "age": _age_days(p.created_at, now),
                    "a": record_view(a),
                    "b": record_view(b),
                }
                for p, a, b in pairs
            ],
            "findings": [
                {**findings.finding_view(x, rs), "age": _age_days(x.created_at, now)} for x in found
            ],
            "counts": {
                "pairs": pairs_total,
                "findings": findings_total,
                "by_rule": dict(sorted(by_rule.items())),
            },
        }


def _log(repo: ConsoleRepository, reviewer: str, view: str, records: list[Record], fields: list[str]) -> None:
    repo.log_view(
        {
            "at": utcnow(),
            "reviewer": reviewer,
            "view": view,
            "records": [[r.source, r.record_id] for r in records],
            "fields": fields,
        }
    )


def _pair(repo: ConsoleRepository, pair_id: int) -> GreyPair:
    pair = repo.grey_pair(pair_id)
    if pair is None:
        raise NotFound(Text("No such pair.", "未找到该待定记录对。"))
    return pair


def refs_of(pair: GreyPair) -> tuple[Ref, Ref]:
    return (pair.source_a, pair.record_id_a), (pair.source_b, pair.record_id_b)


ROWS = (  # (label, record field, evidence field)
    ("name", "name", "name"),
    ("id_number", "id_number", "id"),
    ("birth_date", "birth_date", "birth"),
    ("sex", "sex", "sex"),
    ("division_code", "division_code", "division"),
    ("address", "address", None),
    ("phone", "phone", None),
    ("programme", "programme", None),
    ("status", "status", None),
    ("source", "source", None),
)
MAX_COMPARED = 6
COMPARED = ("address", "phone")  # marked agree / differ though the model does not weigh them


def _plain_mark(a: Any, b: Any) -> str:
    """A field the model does not weigh: agree or differ only when both sides have it."""
    if a is None or b is None:
        return "plain"
    return "agree" if a == b else "differ"


def compare_view(
    session: Any, index: IdentityIndex, refs: list[Ref], *, reviewer: str, reveal: bool, view: str
) -> dict[str, Any]:
    """Two or more records side by side, each field of each record after the first marked with
    the engine's evidence against the first. Names are shown — a reviewer cannot judge a homophone
    through a mask — ID numbers, addresses and phones only when ``reveal``; every view is logged
    with the fields it showed unmasked."""
    found = {(r.source, r.record_id): r for r in RecordRepository(session).by_refs(refs)}
    missing = [ref for ref in refs if ref not in found]
    if missing:
        raise NotFound(Text(f"No such record: {'/'.join(missing[0])}", f"未找到记录：{'/'.join(missing[0])}"))
    records = [found[ref] for ref in refs]
    first = standard(records[0])
    compared = [compare_records(index.model, first, standard(r)) for r in records[1:]]
    evidence = [{e["field"]: e for e in c.evidence} for c in compared]
    views = [{**record_view(r, reveal), "name": (r.fields or {}).get("name")} for r in records]
    rows = []
    for label, key, field in ROWS:
        cells = [{"value": views[0][key], "mark": None, "evidence": None}]
        for k, v in enumerate(views[1:]):
            e = evidence[k].get(field) if field else None
            m = mark(e["code"]) if e else _plain_mark(views[0][key], v[key]) if key in COMPARED else None
            cells.append({"value": v[key], "mark": m, "evidence": e})
        rows.append({"label": label, "cells": cells})
    _log(ConsoleRepository(session), reviewer, view, records, ["name", *REVEALED[1:]] if reveal else ["name"])
    return {
        "records": views,
        "rows": rows,
        "probabilities": [c.probability for c in compared],
        "revealed": reveal,
    }


def pair_view(
    db: Database, index: IdentityIndex, pair_id: int, *, reviewer: str, reveal: bool = False
) -> dict[str, Any]:
    """A grey pair compared (``compare_view``), with the decisions already made about it."""
    with db.unit_of_work() as uow:
        repo = ConsoleRepository(uow.session)
        pair = _pair(repo, pair_id)
        a, b = refs_of(pair)
        compared = compare_view(
            uow.session, index, [a, b], reviewer=reviewer, reveal=reveal, view=f"pair/{pair_id}"
        )
        return {
            **compared,
            "id": pair.id,
            "status": pair.status,
            "reason": pair.reason,
            "probability": compared["probabilities"][0],
            "history": [_decision(d) for d in repo.decisions(50, touching=[a, b])],
        }


def records_view(
    db: Database, index: IdentityIndex, refs: list[Ref], *, reviewer: str, reveal: bool = False
) -> dict[str, Any]:
    """Any two to six records compared (from a finding, a household …)."""
    if not 2 <= len(refs) <= MAX_COMPARED:
        raise BadRequest(
            Text(f"Compare 2 to {MAX_COMPARED} records.", f"请选择 2 至 {MAX_COMPARED} 条记录进行比对。")
        )
    with db.unit_of_work() as uow:
        return compare_view(uow.session, index, refs, reviewer=reviewer, reveal=reveal, view="compare")


def decide_pair(
    db: Database, index: IdentityIndex, pair_id: int, *, same_person: bool, reviewer: str, reason: str
) -> dict[str, Any]:
    with db.unit_of_work() as uow:
        a, b = refs_of(_pair(ConsoleRepository(uow.session), pair_id))
    return review.decide_pair(db, index, a, b, same_person=same_person, reviewer=reviewer, reason=reason)


def _decision(d: Any) -> dict[str, Any]:
    return {
        "a": (d.source_a, d.record_id_a),
        "b": (d.source_b, d.record_id_b),
        "same_person": d.same_person,
        "reviewer": d.reviewer,
        "reason": d.reason,
        "decided_at": d.decided_at,
    }


def _finding(session: Any, finding_id: str) -> Finding:
    finding = FindingRepository(session).get(finding_id)
    if finding is None:
        raise NotFound(Text("No such finding.", "未找到该核查结果。"))
    return finding


def finding_view(db: Database, rs: RuleSet, finding_id: str, reveal_by: str | None = None) -> dict[str, Any]:
    with db.unit_of_work() as uow:
        finding = _finding(uow.session, finding_id)
        records = RecordRepository(uow.session).by_refs([(s, r) for s, r in finding.records])
        if reveal_by:
            _log(ConsoleRepository(uow.session), reveal_by, f"finding/{finding_id}", records, list(REVEALED))
        return {
            **findings.finding_view(finding, rs),
            "record_views": [record_view(r, reveal_by is not None) for r in records],
            "revealed": reveal_by is not None,
        }


def decide_finding(db: Database, finding_id: str, decision: str, reviewer: str, reason: str) -> None:
    with db.unit_of_work() as uow:
        findings.decide(uow.session, finding_id, decision, reviewer, reason)


def household(db: Database, rs: RuleSet, person_id: str, reveal_by: str | None = None) -> dict[str, Any]:
    """一户一条救助链: the person, everyone who shares a household with them in any roster, every
    aid each receives from every source, their open findings and review dates."""
    with db.unit_of_work() as uow:
        records_repo = RecordRepository(uow.session)
        own = records_repo.of_persons([person_id], active_only=False)
        if not own:
            raise NotFound(Text("No such person.", "未找到该人员。"))
        homes = sorted({(r.source, r.household_ref) for r in own if r.household_ref})
        mates = ConsoleRepository(uow.session).housemates(homes)
        persons = sorted({person_id} | {r.person_id for r in mates if r.person_id})
        records = records_repo.of_persons(persons, active_only=False)
        by_person: dict[str, list[Record]] = defaultdict(list)
        for r in records:
            by_person[str(r.person_id)].append(r)
        open_findings = [
            f for f in FindingRepository(uow.session).open_of_persons(persons) if f.status == "open"
        ]
        if reveal_by:
            _log(ConsoleRepository(uow.session), reveal_by, f"person/{person_id}", records, list(REVEALED))
        reveal = reveal_by is not None
        return {
            "person_id": person_id,
            "homes": [f"{s}:{h}" for s, h in homes],
            "members": [
                {
                    "person_id": p,
                    "is_subject": p == person_id,
                    "records": [record_view(r, reveal) for r in by_person[p]],
                    "receiving": sorted({r.programme for r in by_person[p] if r.programme and _receiving(r)}),
                }
                for p in persons
            ],
            "findings": [findings.finding_view(f, rs) for f in open_findings],
            "revealed": reveal,
        }


def _receiving(r: Record) -> bool:
    return findings.fact(r).receiving


def history(db: Database, rs: RuleSet, limit: int = 100) -> dict[str, Any]:
    with db.unit_of_work() as uow:
        repo = ConsoleRepository(uow.session)
        return {
            "pairs": [_decision(d) for d in repo.decisions(limit)],
            "findings": [findings.finding_view(f, rs) for f in repo.decided_findings(limit)],
            "views": [
                {"at": v.at, "reviewer": v.reviewer, "view": v.view, "records": len(v.records)}
                for v in repo.views(limit)
            ],
        }


def overview(db: Database, weeks: int = 12, townships: int = 20) -> dict[str, Any]:
    since = utcnow() - timedelta(weeks=weeks)
    with db.unit_of_work() as uow:
        repo = ConsoleRepository(uow.session)
        return {
            "by_week": repo.findings_by_week(since),
            "coverage": repo.coverage_by_township(townships),
        }
