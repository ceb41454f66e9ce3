"""exchange's own metric families for ``/metrics``: webhook subscriptions and the audit chain."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.exchange.adapters.orm import AuditRecord, Webhook
from shared.web.metrics import gauge


def families(session: Session) -> Iterator[Any]:
    hooks = session.execute(select(Webhook.status, func.count()).group_by(Webhook.status))
    yield gauge("snx_webhooks", "Webhook subscriptions by status", {(s,): n for s, n in hooks}, ["status"])
    audited = session.scalar(select(func.max(AuditRecord.seq))) or 0
    yield gauge("snx_audit_records", "Audit records in the chain", {(): audited}, [])
