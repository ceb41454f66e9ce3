"""Reviewers' decisions on who is who: the same person (must-link) or different people
(cannot-link). A decision is stored, closes its grey pair, and takes effect at once: the persons of
the two records are clustered again under every decision that touches them — a wrong merge is
undone, a missed one made — and every later run (incremental or full) honours it.
"""

from __future__ import annotations

from typing import Any

from services.matching.adapters.orm import LinkDecision, Record
from services.matching.adapters.repository import (
    DecisionRepository,
    GreyRepository,
    RecordRepository,
    Ref,
)
from services.matching.engine.index import compare_records
from services.matching.service.identity import Constraints, apply_plan, canonical, plan_clusters
from services.matching.service.person_index import IdentityIndex, standard
from shared.codes.masking import mask_address, mask_id_number, mask_name
from shared.db import Database
from shared.errors import Conflict, NotFound
from shared.events.outbox import utcnow
from shared.i18n import Text
from shared.logs import get_logger

log = get_logger("snx.matching.review")


def masked(r: Record) -> dict[str, Any]:
    """A record as a reviewer first sees it: identity fields masked (domain.md §6)."""
    f = r.fields
    return {
        "source": r.source,
        "record_id": r.record_id,
        "person_id": r.person_id,
        "name": mask_name(f.get("name")),
        "id_number": mask_id_number(f.get("id_number")),
        "sex": f.get("sex"),
        "birth_date": f.get("birth_date"),
        "division_code": r.division_code,
        "address": mask_address(f.get("address")),
        "programme": r.programme,
        "status": r.status,
        "active": r.active,
    }


def _records(repo: RecordRepository, a: Ref, b: Ref) -> tuple[Record, Record]:
    found = {(r.source, r.record_id): r for r in repo.by_refs([a, b])}
    missing = [ref for ref in (a, b) if ref not in found]
    if missing:
        raise NotFound(
            Text(
                f"No such record: {missing[0][0]}/{missing[0][1]}",
                f"未找到记录：{missing[0][0]}/{missing[0][1]}",
            )
        )
    return found[a], found[b]


def decide_pair(
    db: Database, index: IdentityIndex, a: Ref, b: Ref, *, same_person: bool, reviewer: str, reason: str
) -> dict[str, Any]:
    a, b = canonical(a, b)
    now = utcnow()
    with db.unit_of_work() as uow:
        session = uow.session
        ra, rb = _records(RecordRepository(session), a, b)
        if same_person and ra.id18 and rb.id18 and ra.id18 != rb.id18:
            raise Conflict(
                Text(
                    "Two different valid ID numbers are two people; they cannot be linked.",
                    "两个不同的有效身份证号属于两个人，不能认定为同一人。",
                )
            )
        decisions = DecisionRepository(session)
        decision = decisions.get(a, b)
        if decision is None:
            decision = LinkDecision(source_a=a[0], record_id_a=a[1], source_b=b[0], record_id_b=b[1])
            session.add(decision)
        decision.same_person, decision.reviewer, decision.reason, decision.decided_at = (
            same_person,
            reviewer,
            reason,
            now,
        )
        GreyRepository(session).close(a, b, now)
        evidence = compare_records(index.model, standard(ra), standard(rb))
        persons = sorted({p for p in (ra.person_id, rb.person_id) if p})
    why = {
        "decision": "same" if same_person else "different",
        "reason": reason,
        "fields": evidence.evidence,
        "probability": evidence.probability,
    }
    recluster(db, index, persons, f"reviewer:{reviewer}", why)
    with db.unit_of_work() as uow:
        ra, rb = _records(RecordRepository(uow.session), a, b)
        log.info("review.pair_decided", same_person=same_person, together=ra.person_id == rb.person_id)
        return {
            "a": masked(ra),
            "b": masked(rb),
            "same_person": same_person,
            "together": ra.person_id == rb.person_id,
        }


def recluster(
    db: Database, index: IdentityIndex, person_ids: list[str], decided_by: str, evidence: dict[str, Any]
) -> None:
    """Cluster the records of ``person_ids`` again under every decision touching them."""
    if not person_ids:
        return
    with db.unit_of_work() as uow:
        session = uow.session
        records = RecordRepository(session).of_persons(person_ids)
        refs = [(r.source, r.record_id) for r in records]
        constraints = Constraints.of(DecisionRepository(session).touching(refs))
        rows = [(r.pk, r.source, r.record_id, r.person_id, r.pending, r.fields) for r in records]
        apply_plan(session, plan_clusters(rows, constraints, index.model), decided_by, evidence)
    with db.unit_of_work() as uow:
        index.apply(RecordRepository(uow.session).by_refs(refs))


def grey_view(db: Database, index: IdentityIndex, limit: int, offset: int) -> list[dict[str, Any]]:
    """Open grey pairs, most likely first, with both records (masked) and the evidence."""
    with db.unit_of_work() as uow:
        pairs = GreyRepository(uow.session).open_pairs(limit, offset)
        refs = [ref for p in pairs for ref in ((p.source_a, p.record_id_a), (p.source_b, p.record_id_b))]
        records = {(r.source, r.record_id): r for r in RecordRepository(uow.session).by_refs(refs)}
        out = []
        for p in pairs:
            ra, rb = records.get((p.source_a, p.record_id_a)), records.get((p.source_b, p.record_id_b))
            if ra is None or rb is None:
                continue
            compared = compare_records(index.model, standard(ra), standard(rb))
            out.append(
                {
                    "id": p.id,
                    "probability": compared.probability,
                    "reason": p.reason,
                    "a": masked(ra),
                    "b": masked(rb),
                    "evidence": compared.evidence,
                    "created_at": p.created_at,
                }
            )
        return out
