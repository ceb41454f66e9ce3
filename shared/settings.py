"""Settings: one pydantic-settings base class, one subclass per service with its own env prefix.

A service reads ``<PREFIX>_<FIELD>`` from the environment (``INTAKE_DATABASE_URL``,
``MATCHING_JWT_SECRET`` …). Outside ``dev`` and ``test`` the development signing secret is refused,
so a production deployment cannot start with a secret that is printed in this repository.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_JWT_SECRET = "snx-dev-only-secret-change-me-0123456789"
MIN_SECRET_LENGTH = 32

Environment = Literal["dev", "test", "prod"]

SERVICE_PORTS: dict[str, int] = {"intake": 8001, "matching": 8002, "exchange": 8003}


def audience_for(service: str) -> str:
    """JWT audience of a service: tokens for intake carry ``aud = snx-intake``."""
    return f"snx-{service}"


class ServiceSettings(BaseSettings):
    """What every service needs. Subclasses set ``service_name`` and the env prefix."""

    model_config = SettingsConfigDict(extra="ignore", env_ignore_empty=True)

    service_name: ClassVar[str] = ""

    env: Environment = "dev"
    host: str = "127.0.0.1"
    port: int = 0
    database_url: str = ""
    jwt_secret: SecretStr = SecretStr(DEV_JWT_SECRET)
    jwt_issuer: str = "snx"
    jwt_leeway_seconds: int = 30
    log_level: str = "INFO"
    log_format: Literal["console", "json"] | None = None
    max_body_bytes: int = 1_048_576
    # Where the other services live (used by httpx clients and feed consumers).
    intake_url: str = f"http://127.0.0.1:{SERVICE_PORTS['intake']}"
    matching_url: str = f"http://127.0.0.1:{SERVICE_PORTS['matching']}"
    exchange_url: str = f"http://127.0.0.1:{SERVICE_PORTS['exchange']}"
    # PostgreSQL connections per process, and as many threads for sync routes. Few is fast: a
    # Python process is CPU-bound, and more threads only contend for the GIL (bench/intake_submit.py:
    # single runs at 300/s had a p99 of 65-88 ms with 4, 107-113 ms with 8, 120-210 ms with 20).
    db_pool_size: int = 4
    consumers_enabled: bool = True
    consumer_poll_seconds: float = 1.0
    http_timeout_seconds: float = 5.0

    @model_validator(mode="after")
    def _defaults_and_secrets(self) -> ServiceSettings:
        if not self.port:
            self.port = SERVICE_PORTS[self.service_name]
        if not self.database_url:
            self.database_url = f"sqlite:///./var/{self.service_name}.db"
        if self.env == "prod":
            secret = self.jwt_secret.get_secret_value()
            if secret == DEV_JWT_SECRET:
                prefix = self.env_prefix()
                raise ValueError(f"{prefix}JWT_SECRET is the development default; set a real secret in prod")
            if len(secret) < MIN_SECRET_LENGTH:
                raise ValueError(
                    f"{self.env_prefix()}JWT_SECRET must be at least {MIN_SECRET_LENGTH} characters"
                )
        return self

    @classmethod
    def env_prefix(cls) -> str:
        return str(cls.model_config.get("env_prefix", ""))

    @property
    def audience(self) -> str:
        return audience_for(self.service_name)

    @property
    def effective_log_format(self) -> Literal["console", "json"]:
        if self.log_format:
            return self.log_format
        return "json" if self.env == "prod" else "console"

    def url_of(self, service: str) -> str:
        urls = {"intake": self.intake_url, "matching": self.matching_url, "exchange": self.exchange_url}
        return urls[service].rstrip("/")
