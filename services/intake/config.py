"""Settings of the intake service: environment variables prefixed `INTAKE_`."""

from __future__ import annotations

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore", env_ignore_empty=True)

    service_name: ClassVar[str] = "intake"
