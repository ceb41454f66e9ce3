"""``/healthz`` (the process answers) and ``/readyz`` (database reachable, migrations at head, and
the service's own checks: matching's person index loaded)."""

from __future__ import annotations

from typing import Any, NamedTuple

from fastapi import APIRouter, Request
from sqlalchemy.exc import SQLAlchemyError

from shared.db import Database
from shared.errors import ServiceUnavailable
from shared.i18n import Text
from shared.migrations import at_head

router = APIRouter(tags=["health"])


class ReadinessProblem(NamedTuple):
    """A service's own reason not to take traffic yet: the check's name, its state, the message."""

    check: str
    state: str
    message: Text


@router.get("/healthz", summary="Liveness")
def healthz(request: Request) -> dict[str, Any]:
    return {"status": "ok", "service": request.app.state.settings.service_name}


@router.get("/readyz", summary="Readiness: database reachable and migrated to head")
def readyz(request: Request) -> dict[str, Any]:
    service: str = request.app.state.settings.service_name
    db: Database = request.app.state.db
    try:
        db.ping()
        migrated = at_head(service, db.engine)
    except SQLAlchemyError as exc:
        raise ServiceUnavailable(
            Text("The database cannot be reached.", "无法连接数据库。"),
            extra={"checks": {"database": "down"}},
        ) from exc
    if not migrated:
        raise ServiceUnavailable(
            Text(
                "Database migrations are not at head; run `snx migrate`.",
                "数据库迁移未到最新版本，请运行 `snx migrate`。",
            ),
            extra={"checks": {"database": "ok", "migrations": "behind"}},
        )
    checks = {"database": "ok", "migrations": "head"}
    for ready in request.app.state.readiness:
        problem = ready()
        if problem is not None:
            raise ServiceUnavailable(
                problem.message, extra={"checks": {**checks, problem.check: problem.state}}
            )
    return {"status": "ready", "service": service, "checks": checks}
