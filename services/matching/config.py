"""Settings of the matching service: environment variables prefixed `MATCHING_`."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class MatchingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MATCHING_", extra="ignore", env_ignore_empty=True)

    service_name: ClassVar[str] = "matching"
    workers_enabled: bool = True  # the identity resolver (tests drive it themselves)
    resolver_interval_seconds: float = 1.0
    index_refresh_seconds: float = 1.0
    rules_file: Path | None = None  # the cross-check rules; None: the shipped rules.toml
    roster_max_bytes: int = 16 << 30  # a roster upload streams: this only bounds one request
