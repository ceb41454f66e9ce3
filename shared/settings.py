"""Settings: one pydantic-settings base class, one subclass per service with its own env prefix.

A service reads ``<PREFIX>_<FIELD>`` from the environment (``INTAKE_DATABASE_URL``,
``MATCHING_JWT_SECRET`` …). Outside ``dev`` and ``test`` the development signing secret is refused,
so a production deployment cannot start with a secret that is printed in this repository.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, SecretStr, model_validator
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

    env: Environment = Field("dev", description="dev, test or prod (prod: JSON logs, a real JWT secret)")
    host: str = Field("127.0.0.1", description="Address to listen on")
    port: int = Field(0, description="Port (0: the service's own, 8001 / 8002 / 8003)")
    database_url: str = Field(
        "", description="SQLAlchemy URL (empty: sqlite:///./var/<service>.db); PostgreSQL in production"
    )
    jwt_secret: SecretStr = Field(
        SecretStr(DEV_JWT_SECRET), description="HS256 key the three services share (32+ characters in prod)"
    )
    jwt_issuer: str = Field("snx", description="Issuer of the tokens")
    jwt_leeway_seconds: int = Field(30, description="Clock skew tolerated on token expiry")
    log_level: str = Field("INFO", description="DEBUG, INFO, WARNING, ERROR")
    log_format: Literal["console", "json"] | None = Field(
        None, description="Empty: json in prod, else console"
    )
    max_body_bytes: int = Field(1_048_576, description="Largest request body (413 beyond)")
    intake_url: str = Field(
        f"http://127.0.0.1:{SERVICE_PORTS['intake']}", description="Where intake is (clients, consumers)"
    )
    matching_url: str = Field(
        f"http://127.0.0.1:{SERVICE_PORTS['matching']}", description="Where matching is"
    )
    exchange_url: str = Field(
        f"http://127.0.0.1:{SERVICE_PORTS['exchange']}", description="Where exchange is"
    )
    # PostgreSQL connections per process, and as many threads for sync routes. Few is fast: a
    # Python process is CPU-bound, and more threads only contend for the GIL (bench/intake_submit.py:
    # single runs at 300/s had a p99 of 65-88 ms with 4, 107-113 ms with 8, 120-210 ms with 20).
    db_pool_size: int = Field(4, description="Database connections (and sync-route threads) per process")
    consumers_enabled: bool = Field(True, description="Follow the other services' feeds")
    consumer_poll_seconds: float = Field(1.0, description="How often an idle feed is polled")
    http_timeout_seconds: float = Field(5.0, description="Calls to the other services")

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
