"""Settings of the exchange service: environment variables prefixed `EXCHANGE_`."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class ExchangeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EXCHANGE_", extra="ignore", env_ignore_empty=True)

    service_name: ClassVar[str] = "exchange"
    token_ttl_seconds: int = Field(300, ge=30, le=3600, description="Lifetime of a department's access token")
    roster_timeout_seconds: float = Field(3600, description="How long matching may take to answer an upload")
    roster_max_bytes: int = Field(2 << 30, description="Largest roster upload accepted (bytes)")
    rate_per_minute: int = Field(
        600, ge=1, description="A client's requests a minute, on average (per process)"
    )
    rate_burst: int = Field(60, ge=1, description="A client's requests at once")
    webhooks_allow_private: bool = Field(
        False, description="Allow loopback/private targets (development only)"
    )
    webhook_interval_seconds: float = Field(1.0, gt=0, description="How often due deliveries are sent")
    webhook_max_attempts: int = Field(8, ge=1, description="Failed attempts before a subscription is dead")
