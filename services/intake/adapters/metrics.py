"""intake's own metric families for ``/metrics``: bulk imports and their progress."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.intake.adapters.orm import ImportJob
from shared.web.metrics import gauge


def families(session: Session) -> Iterator[Any]:
    jobs = session.execute(select(ImportJob.status, func.count()).group_by(ImportJob.status))
    yield gauge("snx_import_jobs", "Bulk imports by status", {(s,): n for s, n in jobs}, ["status"])
    running = session.execute(
        select(
            func.coalesce(func.sum(ImportJob.rows_read), 0), func.coalesce(func.sum(ImportJob.error_rows), 0)
        ).where(ImportJob.status == "running")
    ).one()
    yield gauge(
        "snx_import_running_rows",
        "Rows of the running imports: read so far, and found bad",
        {("read",): running[0], ("bad",): running[1]},
        ["kind"],
    )
