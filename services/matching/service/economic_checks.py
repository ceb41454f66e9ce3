"""The economic check (核对) of one household: its members found in the person index, the facts
the department rosters hold about them, and the configured rule forms applied to those facts."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from services.matching.adapters.repository import RecordRepository
from services.matching.domain import economic
from services.matching.domain.rules import Fact
from services.matching.domain.rules_config import RuleSet
from services.matching.service.checks import INTAKE, find_persons
from services.matching.service.findings import fact
from services.matching.service.person_index import IdentityIndex
from shared.contracts.economic_check import EconomicCheckReport, EconomicCheckRequest, RuleResult
from shared.events.outbox import utcnow
from shared.logs import get_logger

log = get_logger("snx.matching.economic")


def economic_check(
    session: Session, index: IdentityIndex, rs: RuleSet, request: EconomicCheckRequest
) -> EconomicCheckReport:
    repo = RecordRepository(session)
    members: dict[int, list[Fact]] = {}
    unmatched = []
    for m in request.members:
        query = {
            "id_number": m.id_number,
            "name": m.name,
            "birth_date": m.birth_date.isoformat() if m.birth_date else None,
        }
        linked = [p.person_id for p in find_persons(index, query) if p.linked]
        persons = [p for p in linked if not p.startswith("record:")]
        unresolved = [
            tuple(p.removeprefix("record:").split("/", 1)) for p in linked if p.startswith("record:")
        ]
        records = repo.of_persons(persons) + repo.by_refs([(s, r) for s, r in unresolved])
        facts = [fact(r) for r in records if r.source != INTAKE]
        members[m.index] = facts
        if not facts:
            unmatched.append(m.index)
    results = economic.evaluate(rs, members, len(request.members), request.division_code)
    report = EconomicCheckReport(
        report_id=f"HD-{uuid.uuid4().hex[:12].upper()}",
        application_id=request.application_id,
        checked_at=utcnow(),
        rules_version=rs.version,
        household_size=len(request.members),
        outcome="exceeds" if any(r["result"] == "fail" for r in results) else "meets",
        unmatched_members=unmatched,
        rules=[RuleResult.model_validate(r) for r in results],
    )
    failed = [r.id for r in report.rules if r.result == "fail"]
    log.info("economic_check.reported", report_id=report.report_id, outcome=report.outcome, failed=failed)
    return report
