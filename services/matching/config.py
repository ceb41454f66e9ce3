"""Settings of the matching service: environment variables prefixed `MATCHING_`."""

from __future__ import annotations

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class MatchingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MATCHING_", extra="ignore", env_ignore_empty=True)

    service_name: ClassVar[str] = "matching"
