"""Findings: the rules run over persons whose records changed (or over everyone), their hits become
findings, and people decide them.

A hit whose fingerprint is new opens a finding (and, for missed aid, an outreach task for the
township: never a grant); an open finding whose situation has gone is resolved; a confirmed or
dismissed finding keeps its decision on every later run. Each change is published as an event
for exchange's feeds, carrying person ids (pseudonymous) and never names or ID numbers.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from services.matching.adapters.findings_repository import (
    FindingRepository,
    housemates_records,
    persons_changed_since,
)
from services.matching.adapters.orm import Finding, OutreachTask, Record
from services.matching.adapters.repository import RecordRepository
from services.matching.domain.rules import Fact, Hit, World, evaluate, fingerprint
from services.matching.domain.rules_config import SEVERITY_RANK, RuleSet
from services.matching.service import enrolments
from shared.db import Database
from shared.errors import Conflict, NotFound
from shared.events.outbox import append_event, utcnow
from shared.i18n import Text
from shared.logs import get_logger

log = get_logger("snx.matching.findings")
EVENT = "cn.snx.matching.finding"
CHUNK_PERSONS = 500
MARGIN = timedelta(seconds=5)


def fact(r: Record) -> Fact:
    return Fact(
        source=r.source,
        record_id=r.record_id,
        person=r.person_id or "",
        programme=r.programme,
        status=r.status,
        active=r.active,
        start=r.start_date,
        end=r.end_date,
        amount=r.amount,
        attributes=r.attributes or {},
        division=r.division_code,
        household=f"{r.source}:{r.household_ref}" if r.household_ref else None,
        born=r.born,
    )


def world_of(
    session: Session,
    persons: Iterable[str],
    today: date,
    extra: Iterable[Fact] = (),
    known: list[Record] | None = None,
) -> World:
    """The records of ``persons`` and of everyone in a household with them (``known``: the
    records of ``persons`` when the caller has them already)."""
    repo = RecordRepository(session)
    persons = set(persons)
    records = [r for r in known if r.person_id in persons] if known is not None else []
    records = records if known is not None else repo.of_persons(sorted(persons), active_only=False)
    homes = sorted({(r.source, r.household_ref) for r in records if r.household_ref and r.active})
    records += housemates_records(session, homes, sorted(persons))
    facts: dict[str, list[Fact]] = defaultdict(list)
    seen: set[int] = set()
    for r in records:
        if r.pk not in seen and r.person_id:
            seen.add(r.pk)
            facts[r.person_id].append(fact(r))
    for f in extra:
        facts[f.person].append(f)
    return World(dict(facts), today)


def _publish(session: Session, finding: Finding, change: str) -> None:
    append_event(
        session,
        f"{EVENT}.{change}",
        {
            "finding_id": finding.id,
            "rule": finding.rule,
            "kind": finding.kind,
            "severity": finding.severity,
            "status": finding.status,
            "persons": finding.persons,
            "households": finding.households,
            "programmes": finding.programmes,
            "division_code": finding.division_code,
        },
        subject=f"finding/{finding.id}",
    )


def _open(repo: FindingRepository, session: Session, hit: Hit, rs: RuleSet, now: datetime) -> Finding:
    finding = Finding(
        id=str(uuid.uuid4()),
        fingerprint=hit.fingerprint,
        rule=hit.rule.id,
        kind=hit.rule.finding_kind,
        severity=hit.rule.severity,
        severity_rank=SEVERITY_RANK[hit.rule.severity],
        status="open",
        persons=list(hit.persons),
        households=list(hit.households),
        records=[list(r) for r in hit.records],
        evidence=hit.evidence,
        division_code=hit.division,
        programmes=list(hit.programmes),
        rules_version=rs.version,
        created_at=now,
        updated_at=now,
    )
    repo.add(finding)
    if finding.kind == "missed":
        repo.add_task(
            OutreachTask(
                id=str(uuid.uuid4()),
                finding_id=finding.id,
                division_code=hit.division,
                status="open",
                created_at=now,
                updated_at=now,
            )
        )
    _publish(session, finding, "raised")
    return finding


@dataclass
class RunCounts:
    persons: int = 0
    raised: int = 0
    reopened: int = 0
    resolved: int = 0

    def add(self, other: RunCounts) -> None:
        for name in ("persons", "raised", "reopened", "resolved"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def check_persons(session: Session, rs: RuleSet, persons: list[str], today: date | None = None) -> RunCounts:
    """Run every rule for ``persons`` and bring their findings (and enrolment events) up to date."""
    now = utcnow()
    records = RecordRepository(session).of_persons(sorted(persons), active_only=False)
    enrolments.publish(session, [(r, bool(r.programme) and fact(r).receiving) for r in records])
    world = world_of(session, persons, today or now.date(), known=records)
    hits = {h.fingerprint: h for h in evaluate(rs, world, world.facts)}  # housemates too
    repo = FindingRepository(session)
    known = repo.by_fingerprints(sorted(hits))
    counts = RunCounts(persons=len(persons))
    for key, hit in hits.items():
        finding = known.get(key)
        if finding is None:
            _open(repo, session, hit, rs, now)
            counts.raised += 1
        elif finding.status in ("open", "resolved"):
            refs = [list(r) for r in hit.records]
            if (finding.evidence, finding.records) != (hit.evidence, refs):
                finding.evidence, finding.records, finding.updated_at = hit.evidence, refs, now
            if finding.status == "resolved":
                finding.status, finding.updated_at = "open", now
                _publish(session, finding, "raised")
                counts.reopened += 1
    for finding in repo.open_of_persons(persons):
        if finding.fingerprint not in hits and set(finding.persons) <= set(persons) | set(world.facts):
            finding.status, finding.updated_at = "resolved", now
            task = repo.task_of(finding.id)
            if task is not None and task.status == "open":
                task.status, task.updated_at = "cancelled", now
            _publish(session, finding, "resolved")
            counts.resolved += 1
    session.flush()
    return counts


def check_changed(db: Database, rs: RuleSet) -> RunCounts:
    """The incremental run: persons with records changed since the last run."""
    started = utcnow()
    with db.unit_of_work() as uow:
        state = FindingRepository(uow.session).state()
        since = state.checked_until - MARGIN if state.checked_until else None
    counts = _run(db, rs, since)
    with db.unit_of_work() as uow:
        FindingRepository(uow.session).state().checked_until = started
    return counts


def recheck_all(db: Database, rs: RuleSet, progress: Callable[[str], None] | None = None) -> RunCounts:
    """The full run (``snx match recheck``): every person."""
    started = utcnow()
    counts = _run(db, rs, None, progress)
    with db.unit_of_work() as uow:
        state = FindingRepository(uow.session).state()
        state.full_run_at = state.checked_until = started
    return counts


def _run(
    db: Database, rs: RuleSet, since: datetime | None, progress: Callable[[str], None] | None = None
) -> RunCounts:
    total, after = RunCounts(), ""
    while True:
        with db.unit_of_work() as uow:
            persons = persons_changed_since(uow.session, since, CHUNK_PERSONS, after)
            if not persons:
                break
            total.add(check_persons(uow.session, rs, persons))
        after = persons[-1]
        if progress:
            progress(f"rules: {total.persons:,} persons checked, {total.raised:,} findings raised")
    if total.raised or total.resolved or total.reopened:
        log.info("findings.run", **total.__dict__)
    return total


def follow_merges(session: Session, merged_into: dict[str, str]) -> None:
    """Persons merged into others take their findings along, decisions included: a finding about
    the old id is re-keyed to the id it merged into (if that finding exists already, the one a
    person decided is kept and the other is resolved)."""
    repo = FindingRepository(session)
    now = utcnow()
    for old, new in sorted(merged_into.items()):
        for finding in repo.of_person(old):
            persons = sorted({new if p == old else p for p in finding.persons})
            key = fingerprint(finding.rule, persons, finding.households)
            twin = repo.by_fingerprints([key]).get(key)
            if twin is not None and twin.id != finding.id:
                keep, drop = (finding, twin) if twin.status == "open" else (twin, finding)
                if drop.status == "open":
                    drop.status, drop.updated_at = "resolved", now
                    _publish(session, drop, "resolved")
                drop.fingerprint = f"{drop.id}:merged"[:64]
                finding = keep
            session.flush()
            finding.fingerprint, finding.updated_at = key, now
            repo.set_persons(finding, persons)
    session.flush()


DECISIONS = {"confirm": "confirmed", "dismiss": "dismissed"}


def decide(session: Session, finding_id: str, decision: str, reviewer: str, reason: str) -> Finding:
    """A reviewer confirms or dismisses an open finding; later runs keep the decision."""
    repo = FindingRepository(session)
    finding = repo.get(finding_id)
    if finding is None:
        raise NotFound(Text("No such finding.", "未找到该核查结果。"))
    if finding.status != "open":
        raise Conflict(
            Text(f"The finding is already {finding.status}.", f"该核查结果已处理（{finding.status}）。"),
            extra={"status": finding.status},
        )
    now = utcnow()
    finding.status, finding.reviewer, finding.reason = DECISIONS[decision], reviewer, reason
    finding.decided_at = finding.updated_at = now
    task = repo.task_of(finding.id)
    if task is not None and decision == "dismiss":
        task.status, task.updated_at = "cancelled", now
    _publish(session, finding, finding.status)
    session.flush()
    log.info("findings.decided", finding_id=finding.id, rule=finding.rule, status=finding.status)
    return finding


def finding_view(f: Finding, rs: RuleSet) -> dict[str, Any]:
    rule = next((r for r in rs.rules if r.id == f.rule), None)
    return {
        "id": f.id,
        "rule": f.rule,
        "description": {"en": rule.text.en, "zh": rule.text.zh} if rule else None,
        "kind": f.kind,
        "severity": f.severity,
        "status": f.status,
        "persons": f.persons,
        "households": f.households,
        "records": [{"source": s, "record_id": r} for s, r in f.records],
        "evidence": f.evidence,
        "division_code": f.division_code,
        "programmes": f.programmes,
        "rules_version": f.rules_version,
        "reviewer": f.reviewer,
        "reason": f.reason,
        "decided_at": f.decided_at,
        "created_at": f.created_at,
        "updated_at": f.updated_at,
    }
