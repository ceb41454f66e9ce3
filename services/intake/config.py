"""Settings of the intake service: environment variables prefixed `INTAKE_`."""

from __future__ import annotations

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore", env_ignore_empty=True)

    service_name: ClassVar[str] = "intake"

    # [cfg] the holiday calendar (YAML: holidays, workdays); empty: the shipped national calendar.
    holiday_calendar: str | None = None
    # Division codes not in the shipped table: reject (default) or accept with a warning.
    reject_unknown_divisions: bool = True
    # Pre-check against matching at submission: a short wait, then a worker retries.
    precheck_timeout_seconds: float = 0.8
    economic_check_timeout_seconds: float = 30.0
    precheck_retry_seconds: float = 5.0
    precheck_retry_max_seconds: float = 300.0
    precheck_breaker_seconds: float = 5.0
    workers_enabled: bool = True
    worker_poll_seconds: float = 1.0
    # Bulk import uploads (CSV/XLSX) may be larger than ordinary JSON bodies.
    max_import_bytes: int = 64 * 1024 * 1024
