"""intake's app factory."""

from __future__ import annotations

from fastapi import FastAPI

from services.intake.adapters import metrics
from services.intake.api.applications import router as applications
from services.intake.api.households import router as households
from services.intake.api.imports import router as imports
from services.intake.api.notices import router as notices
from services.intake.config import IntakeSettings
from services.intake.service.context import IntakeContext
from services.intake.service.imports import run_next_import
from services.intake.service.prechecks import retry_due_prechecks
from shared.web.app import Worker, create_service_app


def create_app(settings: IntakeSettings | None = None, context: IntakeContext | None = None) -> FastAPI:
    settings = settings or IntakeSettings()
    ctx = context or IntakeContext.from_settings(settings)
    workers = [
        Worker("precheck", lambda db: retry_due_prechecks(db, ctx), settings.worker_poll_seconds),
        Worker("import", lambda db: run_next_import(db, ctx), settings.worker_poll_seconds),
    ]
    app = create_service_app(
        settings,
        title="snx intake",
        description="Township portals: households, applications and their legal workflow (一门受理).",
        routers=[households, applications, notices, imports],
        workers=workers if settings.workers_enabled else [],
        body_limits={"/v1/imports": settings.max_import_bytes},
        on_shutdown=[ctx.close],
        metrics=[metrics.families],
    )
    app.state.intake = ctx
    return app
