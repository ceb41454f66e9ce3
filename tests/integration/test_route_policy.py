"""R5, every route × role: each operation of each service refuses a caller without a token (401)
and a caller whose token carries none of its scopes (403) — except the few routes the policy
below names as open. A new route that forgets its scope fails here."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from shared.services import SERVICES
from tests.conftest import make_app
from tests.support import auth

OPEN = {  # (method, path) → why it needs no scope
    ("GET", "/healthz"): "liveness probe",
    ("GET", "/readyz"): "readiness probe",
    ("GET", "/metrics"): "Prometheus scrape: counts only, no personal data",
    ("POST", "/oauth/token"): "the client-credentials grant authenticates with the client's secret",
    ("GET", "/v1/imports/template.csv"): "the blank import template",
    ("GET", "/v1/notices"): "the public notice list (公示): names masked, amounts, no IDs (domain.md §6)",
}


def routes(app: object) -> list[tuple[str, str]]:
    """Every operation the service documents (its OpenAPI: what callers are told exists)."""
    paths = app.openapi()["paths"]  # type: ignore[attr-defined]
    return [(method.upper(), path) for path, item in paths.items() for method in item]


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


@pytest.mark.parametrize("service", SERVICES)
def test_every_route_needs_a_token_and_its_scope(service: str, db_url: Callable[[str], str]) -> None:
    with TestClient(
        make_app(service, db_url(service), workers_enabled=False), raise_server_exceptions=False
    ) as c:
        listed = routes(c.app)
        assert len(listed) > 10
        bare = auth(service)  # valid, for this service, without a single scope
        for method, path in listed:
            url = concrete(path)
            anonymous = c.request(method, url, json={})
            if (method, path) in OPEN:
                assert anonymous.status_code != 401, (method, path)
                continue
            assert anonymous.status_code == 401, (method, path, anonymous.status_code)
            assert anonymous.headers["content-type"].startswith("application/problem+json")
            scoped_out = c.request(method, url, json={}, headers=bare)
            assert scoped_out.status_code == 403, (
                method,
                path,
                scoped_out.status_code,
                scoped_out.text[:200],
            )
