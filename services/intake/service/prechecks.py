"""The pre-check retry worker: applications accepted while matching was slow or down get their
pre-check once it answers again. Safe with several replicas: a claimed row is leased (and on
PostgreSQL locked with SKIP LOCKED while being claimed), so two workers never check one row at once."""

from __future__ import annotations

from datetime import timedelta

from services.intake.adapters.repository import ApplicationRepository
from services.intake.service.context import IntakeContext
from services.intake.service.records import APPLICATION_PRECHECKED, stored_precheck_request
from shared.contracts.precheck import PrecheckRequest
from shared.db import Database
from shared.events.outbox import append_event, utcnow
from shared.logs import get_logger

log = get_logger("snx.intake.precheck")
LEASE = timedelta(seconds=60)
BATCH = 50


def _backoff(ctx: IntakeContext, attempts: int) -> timedelta:
    seconds = ctx.settings.precheck_retry_seconds * 2 ** min(attempts, 16)
    return timedelta(seconds=min(seconds, ctx.settings.precheck_retry_max_seconds))


def retry_due_prechecks(db: Database, ctx: IntakeContext) -> int:
    """One round: claim due pre-checks, ask matching, store each answer. Returns how many completed."""
    now = utcnow()
    claimed: list[PrecheckRequest] = []
    with db.unit_of_work() as uow:
        for due in ApplicationRepository(uow.session).due_prechecks(now, BATCH):
            claimed.append(stored_precheck_request(due))
            due.precheck_next_at = now + LEASE
    completed = 0
    for n, request in enumerate(claimed):
        result = ctx.prechecker.check(request, use_breaker=False)
        with db.unit_of_work() as uow:
            app = ApplicationRepository(uow.session).get(request.application_id, for_update=True)
            if app is None or app.precheck_status != "pending":
                continue
            app.precheck_attempts += 1
            if result is None:
                app.precheck_next_at = utcnow() + _backoff(ctx, app.precheck_attempts)
            else:
                app.precheck_status, app.precheck_next_at = "done", None
                app.precheck_result, app.precheck_checked_at = result.model_dump(mode="json"), utcnow()
                append_event(
                    uow.session,
                    APPLICATION_PRECHECKED,
                    {"application_id": app.id, "status": result.status, "hits": len(result.hits)},
                    subject=f"application/{app.id}",
                )
        if result is None:  # matching is down again: the rest wait for the next round
            with db.unit_of_work() as uow:
                ApplicationRepository(uow.session).reschedule_prechecks(
                    [r.application_id for r in claimed[n + 1 :]], utcnow() + _backoff(ctx, 0)
                )
            break
        completed += 1
    if completed:
        log.info("intake.prechecks_completed", count=completed)
    return completed
