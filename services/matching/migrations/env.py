"""Alembic environment of the matching service (its own history and version table)."""

from services.matching.adapters.orm import MatchingBase
from shared.events.models import EventsBase
from shared.migrations import run_env

run_env("matching", [EventsBase.metadata, MatchingBase.metadata])
