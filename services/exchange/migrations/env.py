"""Alembic environment of the exchange service (its own history and version table)."""

from services.exchange.adapters.orm import ExchangeBase
from shared.events.models import EventsBase
from shared.migrations import run_env

run_env("exchange", [EventsBase.metadata, ExchangeBase.metadata])
