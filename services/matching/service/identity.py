"""Who is who: records → persons, incrementally as records arrive, or all at once.

Incremental (``resolve_pending``): each new or changed record is queried against the in-memory
index and joins the best person it links to, or becomes a new person; reviewers' decisions come
first (a must-link partner's person; never a person holding a cannot-link partner). Candidates the
model is unsure of become grey pairs for review.

Full (``rerun``): the batch engine clusters every active record, with every decision as a
must-link or cannot-link constraint, and ``stable_ids`` keeps the person ids the records had.
It is what a large backlog (a first roster of a million records) goes through, and what
``snx match recheck`` runs.

Every change of a record's person is written to the identity log with its evidence and who or
what decided it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from services.matching.adapters.orm import LinkDecision, Record
from services.matching.adapters.repository import (
    DecisionRepository,
    GreyRepository,
    PersonRepository,
    RecordRepository,
    Ref,
    refresh_statistics,
)
from services.matching.domain.stable_ids import Assignment, assign, new_person_id
from services.matching.engine.batch import Decisions, dedup
from services.matching.engine.model import FellegiSunter
from services.matching.service.findings import follow_merges
from services.matching.service.person_index import IDENTITY_COLUMNS, IdentityIndex, standard
from shared.db import Database, insert_rows
from shared.events.models import OutboxEvent
from shared.events.outbox import event_rows, utcnow
from shared.logs import get_logger

log = get_logger("snx.matching.identity")
BATCH = 500
FULL_RUN_BACKLOG = 20_000  # more pending records than this: one batch run instead of queries
ENGINE = "engine"
PERSON_EVENT = "cn.snx.matching.person"


def canonical(a: Ref, b: Ref) -> tuple[Ref, Ref]:
    return (a, b) if a <= b else (b, a)


@dataclass
class Constraints:
    must: dict[Ref, set[Ref]] = field(default_factory=lambda: defaultdict(set))
    cannot: dict[Ref, set[Ref]] = field(default_factory=lambda: defaultdict(set))

    @classmethod
    def of(cls, decisions: Iterable[LinkDecision]) -> Constraints:
        out = cls()
        for d in decisions:
            a, b = (d.source_a, d.record_id_a), (d.source_b, d.record_id_b)
            side = out.must if d.same_person else out.cannot
            side[a].add(b)
            side[b].add(a)
        return out

    def as_engine(self) -> Decisions:
        def pairs(side: dict[Ref, set[Ref]]) -> list[tuple[Ref, Ref]]:
            return sorted({canonical(a, b) for a, partners in side.items() for b in partners})

        return Decisions(must_link=pairs(self.must), cannot_link=pairs(self.cannot))


def identity_event(
    action: str, person: str, records: list[Ref], decided_by: str, now: datetime, **kw: Any
) -> dict[str, Any]:
    return {
        "at": now,
        "action": action,
        "person_id": person,
        "other_person_id": kw.get("other"),
        "records": [list(r) for r in records[:200]],
        "evidence": kw.get("evidence"),
        "decided_by": decided_by,
    }


def log_changes(session: Session, events: list[dict[str, Any]]) -> None:
    """Write identity events to the log and publish, for exchange's persons feed, those that
    change a person someone may already know: merges, splits, and a record moving from one
    person to another (``cn.snx.matching.person.<action>``; a record's first link and a new
    person are not changes of a known person)."""
    PersonRepository(session).log(events)
    published = [
        (
            f"{PERSON_EVENT}.{e['action']}",
            {
                "action": e["action"],
                "person_id": e["person_id"],
                "other_person_id": e["other_person_id"],
                "merged": (e["evidence"] or {}).get("merged", []),
                "into": (e["evidence"] or {}).get("into", []),
                "records": e["records"],
            },
            f"person/{e['person_id']}",
        )
        for e in events
        if e["action"] in ("merged", "split") or (e["action"] == "linked" and e["other_person_id"])
    ]
    insert_rows(session, OutboxEvent, event_rows(published))


def _grey_row(rec: Ref, other: Ref, probability: float, reason: str, evidence: Any = None) -> dict[str, Any]:
    a, b = canonical(rec, other)
    return {
        "source_a": a[0],
        "record_id_a": a[1],
        "source_b": b[0],
        "record_id_b": b[1],
        "probability": probability,
        "reason": reason,
        "evidence": evidence,
    }


def resolve_pending(db: Database, index: IdentityIndex, *, batch: int = BATCH) -> int:
    """Resolve up to ``batch`` pending records; a large backlog goes to ``rerun``. Returns how
    many records were resolved (0: nothing pending)."""
    with db.unit_of_work() as uow:
        backlog = RecordRepository(uow.session).count_pending()
    if backlog == 0:
        return 0
    if backlog > FULL_RUN_BACKLOG:
        return rerun(db, index).records
    try:
        return _resolve_batch(db, index, batch)
    except Exception:
        index.invalidate()  # it may hold links of the transaction that failed
        raise


def _resolve_batch(db: Database, index: IdentityIndex, batch: int) -> int:
    index.refresh()  # before this transaction: loading and refreshing read the database
    now = utcnow()
    with db.unit_of_work() as uow:
        session = uow.session
        records_repo, persons = RecordRepository(session), PersonRepository(session)
        pending = records_repo.pending(batch)
        refs = [(r.source, r.record_id) for r in pending]
        constraints = Constraints.of(DecisionRepository(session).touching(refs))
        partner_refs = {p for r in refs for p in constraints.must[r] | constraints.cannot[r]}
        person_of = {(r.source, r.record_id): r.person_id for r in records_repo.by_refs(partner_refs)}
        new_persons, events, grey = [], [], []
        for rec in pending:
            ref = (rec.source, rec.record_id)
            with index.lock:  # one record at a time: checks answer in between
                engine = index.current()
                engine.remove(*ref)
                found, why, evidence, unsure = _decide(rec, ref, engine, constraints, person_of, index)
                person = found or new_person_id()
                engine.add(standard(rec), person)
            if found is None:
                new_persons.append({"id": person, "created_at": now})
                events.append(
                    identity_event("created", person, [ref], f"{ENGINE}:{index.model.version}", now)
                )
            elif person != rec.person_id:
                events.append(
                    identity_event("linked", person, [ref], why, now, other=rec.person_id, evidence=evidence)
                )
            grey += unsure
            rec.person_id, rec.pending, rec.updated_at = person, False, now
            person_of[ref] = person
        persons.add(new_persons)
        log_changes(session, events)
        GreyRepository(session).upsert(grey, now)
        session.flush()
    index.apply(pending, indexed=True)  # each went in as it was resolved
    return len(pending)


def _decide(
    rec: Record,
    ref: Ref,
    engine: Any,
    constraints: Constraints,
    person_of: dict[Ref, str | None],
    index: IdentityIndex,
) -> tuple[str | None, str, Any, list[dict[str, Any]]]:
    """(person or None for a new one, who decided, evidence, grey pairs) for one record."""
    for partner in sorted(constraints.must[ref]):
        if person_of.get(partner):
            return person_of[partner], "reviewer-decision", {"must_link": list(partner)}, []
    refused = {person_of.get(p) for p in constraints.cannot[ref]} - {None}
    chosen: str | None = None
    evidence: Any = None
    grey = []
    for cand in engine.query(standard(rec), limit=10):
        if cand.person_key in refused:
            continue
        if chosen is None and cand.linked:
            chosen = cand.person_key
            evidence = {"record": list(cand.record), "probability": cand.probability, "fields": cand.evidence}
        elif not cand.linked and cand.probability >= index.model.review_probability:
            grey.append(_grey_row(ref, cand.record, cand.probability, "uncertain", cand.evidence))
    return chosen, f"{ENGINE}:{index.model.version}", evidence, grey


@dataclass
class RunSummary:
    records: int
    persons: int
    created: int
    merged: int
    split: int
    moved: int
    grey: int
    seconds: dict[str, float]


def records_frame(rows: list[tuple[Any, ...]]) -> pl.DataFrame:
    data: dict[str, list[Any]] = {"source": [], "record_id": [], **{c: [] for c in IDENTITY_COLUMNS}}
    for row in rows:
        data["source"].append(row[1])
        data["record_id"].append(row[2])
        for c in IDENTITY_COLUMNS:
            data[c].append(row[5].get(c))
    frame = pl.DataFrame(data, schema=dict.fromkeys(data, pl.String))
    return frame.with_columns(
        pl.int_range(1, frame.height + 1, dtype=pl.Int64).alias("line"),
        pl.lit(None, pl.String).alias("error"),
    )


@dataclass
class Plan:
    """A clustering of some records and the stable ids it keeps: what ``apply_plan`` writes."""

    rows: list[tuple[Any, ...]]  # (pk, source, record_id, person_id, pending, fields)
    clusters: list[int]
    ids: Assignment
    grey: pl.DataFrame
    seconds: dict[str, float]

    def members(self) -> dict[str, list[Ref]]:
        out: dict[str, list[Ref]] = defaultdict(list)
        for row, cluster in zip(self.rows, self.clusters, strict=True):
            out[self.ids.ids[cluster]].append((row[1], row[2]))
        return out


def plan_clusters(
    rows: list[tuple[Any, ...]],
    constraints: Constraints,
    model: FellegiSunter,
    progress: Callable[[str], None] | None = None,
) -> Plan:
    result = dedup([records_frame(rows)], model, decisions=constraints.as_engine(), progress=progress)
    keys = result.records.sort("line").select(
        pl.coalesce("person_key", pl.lit("record:") + pl.col("record_id")).rank("dense").cast(pl.Int64)
    )
    clusters = keys.to_series().to_list()
    ids = assign(clusters, [r[3] for r in rows])
    return Plan(rows, clusters, ids, result.grey, result.stats["seconds"])


def apply_plan(session: Session, plan: Plan, decided_by: str, evidence: dict[str, Any] | None = None) -> int:
    """Write a plan: new persons, records that change person, merges and splits in the log.
    Returns how many records moved from one person to another."""
    now = utcnow()
    changes, done, moved = [], [], 0
    for row, cluster in zip(plan.rows, plan.clusters, strict=True):
        person = plan.ids.ids[cluster]
        if person != row[3]:
            changes.append({"pk": row[0], "person_id": person, "pending": False, "updated_at": now})
            moved += row[3] is not None
        elif row[4]:
            done.append({"pk": row[0], "pending": False, "updated_at": now})
    members = plan.members()
    extra = evidence or {}
    events = [
        identity_event("merged", kept, members[kept], decided_by, now, evidence={**extra, "merged": olds})
        for kept, olds in plan.ids.merges.items()
    ]
    events += [
        identity_event("split", old, members.get(old, []), decided_by, now, evidence={**extra, "into": into})
        for old, into in plan.ids.splits.items()
    ]
    repo, persons = RecordRepository(session), PersonRepository(session)
    persons.add([{"id": p, "created_at": now} for p in plan.ids.new])
    repo.update(changes)
    repo.update(done)
    log_changes(session, events)
    merged_away = {o: kept for kept, olds in plan.ids.merges.items() for o in olds}
    persons.retire_empty(sorted(merged_away), now, merged_away)
    follow_merges(session, merged_away)
    return moved


def rerun(db: Database, index: IdentityIndex, *, progress: Callable[[str], None] | None = None) -> RunSummary:
    """Cluster every active record again, honouring every decision, keeping person ids stable."""
    with db.unit_of_work() as uow:
        rows = list(RecordRepository(uow.session).identities())
        constraints = Constraints.of(DecisionRepository(uow.session).all())
    plan = plan_clusters(rows, constraints, index.model, progress)
    grey = [
        _grey_row(
            (g["source_a"], g["record_id_a"]),
            (g["source_b"], g["record_id_b"]),
            g["probability"],
            g["reason"],
        )
        for g in plan.grey.iter_rows(named=True)
    ]
    with db.unit_of_work() as uow:
        moved = apply_plan(uow.session, plan, f"{ENGINE}:{index.model.version}:rerun")
        added = GreyRepository(uow.session).upsert(grey, utcnow())
        refresh_statistics(uow.session)  # every person id changed: plans need to know
    index.reload()
    summary = RunSummary(
        records=len(rows),
        persons=len(set(plan.clusters)),
        created=len(plan.ids.new),
        merged=len(plan.ids.merges),
        split=len(plan.ids.splits),
        moved=moved,
        grey=added,
        seconds=plan.seconds,
    )
    log.info("identity.rerun", **{k: v for k, v in summary.__dict__.items() if k != "seconds"})
    return summary
