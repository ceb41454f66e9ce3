"""Settings of the matching service: environment variables prefixed `MATCHING_`."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class MatchingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MATCHING_", extra="ignore", env_ignore_empty=True)

    service_name: ClassVar[str] = "matching"
    workers_enabled: bool = Field(True, description="Run the identity resolver and the rules")
    resolver_interval_seconds: float = Field(1.0, description="How often pending records are resolved")
    index_refresh_seconds: float = Field(1.0, description="How often the in-memory person index catches up")
    rules_file: Path | None = Field(
        None, description="Cross-check rules (TOML); empty: the shipped rules.toml"
    )
    roster_max_bytes: int = Field(
        16 << 30, description="Largest roster upload (it streams: a bound per request)"
    )
