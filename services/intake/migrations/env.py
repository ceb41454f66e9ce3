"""Alembic environment of the intake service (its own history and version table)."""

from services.intake.adapters.orm import IntakeBase
from shared.events.models import EventsBase
from shared.migrations import run_env

run_env("intake", [EventsBase.metadata, IntakeBase.metadata])
