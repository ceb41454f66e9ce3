"""Settings of the intake service: environment variables prefixed `INTAKE_`."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore", env_ignore_empty=True)

    service_name: ClassVar[str] = "intake"

    holiday_calendar: str | None = Field(
        None, description="[cfg] Holiday calendar YAML (holidays, workdays); empty: the shipped national one"
    )
    reject_unknown_divisions: bool = Field(
        True, description="Division codes not in the shipped table: reject (true) or warn (false)"
    )
    precheck_timeout_seconds: float = Field(0.8, description="Wait for matching's pre-check at submission")
    economic_check_timeout_seconds: float = Field(30.0, description="Wait for matching's economic check")
    precheck_retry_seconds: float = Field(5.0, description="First retry of a pre-check that timed out")
    precheck_retry_max_seconds: float = Field(300.0, description="Longest wait between pre-check retries")
    precheck_breaker_seconds: float = Field(5.0, description="Skip pre-checks this long after a failure")
    workers_enabled: bool = Field(True, description="Run the pre-check retry and import workers")
    worker_poll_seconds: float = Field(1.0, description="How often idle workers look for work")
    max_import_bytes: int = Field(64 * 1024 * 1024, description="Largest bulk import file (CSV/XLSX)")
