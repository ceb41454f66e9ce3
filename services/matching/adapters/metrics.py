"""matching's own metric families for ``/metrics``, read at scrape time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.matching.adapters.orm import Finding, GreyPair, Record
from shared.web.metrics import gauge


def families(session: Session) -> Iterator[Any]:
    by_rule = session.execute(
        select(Finding.rule, Finding.status, func.count()).group_by(Finding.rule, Finding.status)
    )
    yield gauge(
        "snx_findings", "Findings by rule and status", {(r, s): n for r, s, n in by_rule}, ["rule", "status"]
    )
    grey = session.scalar(select(func.count()).select_from(GreyPair).where(GreyPair.status == "open")) or 0
    yield gauge("snx_grey_pairs_open", "Uncertain pairs waiting for a reviewer", {(): grey}, [])
    pending = session.scalar(
        select(func.count()).select_from(Record).where(Record.pending.is_(True), Record.active.is_(True))
    )
    yield gauge("snx_records_pending", "Records waiting for the resolver", {(): pending or 0}, [])
