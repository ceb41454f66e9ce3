"""Settings: per-service env prefixes, defaults, and no development secret in production."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.exchange.config import ExchangeSettings
from services.intake.config import IntakeSettings
from services.matching.config import MatchingSettings
from shared.settings import DEV_JWT_SECRET


def test_each_service_reads_its_own_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTAKE_PORT", "9101")
    monkeypatch.setenv("MATCHING_DATABASE_URL", "postgresql://db/matching")
    assert IntakeSettings().port == 9101
    assert MatchingSettings().port == 8002
    assert MatchingSettings().database_url == "postgresql://db/matching"
    assert IntakeSettings().database_url == "sqlite:///./var/intake.db"
    assert ExchangeSettings().audience == "snx-exchange"


def test_prod_refuses_the_development_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTAKE_ENV", "prod")
    with pytest.raises(ValidationError, match="INTAKE_JWT_SECRET is the development default"):
        IntakeSettings()
    monkeypatch.setenv("INTAKE_JWT_SECRET", "short")
    with pytest.raises(ValidationError, match="at least 32"):
        IntakeSettings()
    monkeypatch.setenv("INTAKE_JWT_SECRET", "x" * 40)
    settings = IntakeSettings()
    assert settings.effective_log_format == "json"


def test_dev_and_test_may_use_the_default_secret() -> None:
    for env in ("dev", "test"):
        settings = MatchingSettings(env=env)
        assert settings.jwt_secret.get_secret_value() == DEV_JWT_SECRET
        assert settings.effective_log_format == "console"


def test_secret_is_not_printed_in_repr() -> None:
    assert DEV_JWT_SECRET not in repr(IntakeSettings())
