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
TOKEN_ONLY = {  # a valid token and nothing more (then the route's own check)
    ("GET", "/v1/me"): "what a department client's token is: any client may ask",
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


def policy(app: object) -> dict[tuple[str, str], frozenset[str]]:
    """The policy table as the code declares it: each documented operation → the scopes its
    dependencies require (``require_scopes``, also inside ``department(…)`` and the like)."""

    def required(dependant: object) -> frozenset[str]:
        own = getattr(getattr(dependant, "call", None), "required_scopes", frozenset())
        inner = [required(d) for d in getattr(dependant, "dependencies", [])]
        return frozenset(own).union(*inner)

    table: dict[tuple[str, str], frozenset[str]] = {}
    for route in app.routes:  # type: ignore[attr-defined]
        contexts = route.effective_route_contexts() if hasattr(route, "effective_route_contexts") else [route]
        for ctx in contexts:
            if getattr(ctx, "include_in_schema", False) and getattr(ctx, "methods", None):
                for method in ctx.methods:
                    table[(method, ctx.path)] = required(ctx.dependant)
    return table


@pytest.mark.parametrize("service", SERVICES)
def test_each_route_lets_in_exactly_the_roles_its_policy_names(
    service: str, db_url: Callable[[str], str]
) -> None:
    """Route × role: a token with exactly a route's scopes gets past authorisation; one with any
    of them missing gets 403. Every route that is not open has a policy."""
    with TestClient(
        make_app(service, db_url(service), workers_enabled=False), raise_server_exceptions=False
    ) as c:
        table = policy(c.app)
        documented = set(routes(c.app))
        assert documented <= set(table), documented - set(table)
        unguarded = {op for op in documented if not table[op]}
        assert unguarded <= set(OPEN) | set(TOKEN_ONLY), unguarded - set(OPEN) - set(TOKEN_ONLY)
        for (method, path), scopes in sorted(table.items()):
            if (method, path) not in documented or not scopes:
                continue
            url = concrete(path)
            exact = c.request(method, url, json={}, headers=auth(service, *scopes))
            assert exact.status_code not in (401, 403) or _client_only(exact), (
                method,
                path,
                exact.text[:200],
            )
            for missing in sorted(scopes):
                short = c.request(method, url, json={}, headers=auth(service, *(scopes - {missing})))
                assert short.status_code == 403, (method, path, missing, short.status_code)


def _client_only(response: object) -> bool:
    """exchange's department routes also need the caller to be a registered client: a 403 that
    says so is the next check, not the scope check."""
    text = getattr(response, "text", "")
    return getattr(response, "status_code", 0) == 403 and (
        "department client" in text or "部门客户端" in text
    )
