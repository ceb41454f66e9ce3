"""intake's app factory."""

from __future__ import annotations

from fastapi import FastAPI

from services.intake.api.households import router as households
from services.intake.config import IntakeSettings
from shared.web.app import create_service_app


def create_app(settings: IntakeSettings | None = None) -> FastAPI:
    return create_service_app(
        settings or IntakeSettings(),
        title="snx intake",
        description="Township portals: households, applications and their legal workflow (一门受理).",
        routers=[households],
    )
