"""``snx token`` mints tokens the services accept."""

from __future__ import annotations

import pytest

from shared.auth import verify_token
from shared.cli import main
from shared.settings import DEV_JWT_SECRET


def test_token_for_all_services_with_division(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["token", "--scope", "intake:write", "--division", "110105001", "--ttl", "60"]) == 0
    token = capsys.readouterr().out.strip()
    for service in ("intake", "matching", "exchange"):
        p = verify_token(token, secret=DEV_JWT_SECRET, audience=f"snx-{service}", issuer="snx")
        assert p.scopes == {"intake:write"} and p.division == "110105001"


def test_token_for_one_service_has_only_that_audience(capsys: pytest.CaptureFixture[str]) -> None:
    main(["token", "--service", "exchange"])
    token = capsys.readouterr().out.strip()
    assert verify_token(token, secret=DEV_JWT_SECRET, audience="snx-exchange", issuer="snx").scopes
    from shared.errors import Unauthorized

    with pytest.raises(Unauthorized):
        verify_token(token, secret=DEV_JWT_SECRET, audience="snx-intake", issuer="snx")


def test_migrate_refuses_unknown_services(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate", "nosuch"]) == 2
    assert "unknown service" in capsys.readouterr().err
