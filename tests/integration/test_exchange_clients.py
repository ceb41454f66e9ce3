"""Departments and their OAuth2 clients: the registry, the client-credentials grant, and the
tokens it gives (R5: expired, wrong-signature, alg=none and wrong-audience tokens are refused)."""

from __future__ import annotations

import base64
import time
from typing import Any

import jwt
from fastapi.testclient import TestClient
from sqlalchemy import select

from services.exchange.adapters.orm import Client
from shared.auth import mint_token
from shared.settings import DEV_JWT_SECRET, audience_for
from tests.support import auth

ADMIN = auth("exchange", "exchange:admin", subject="staff:civil-affairs")
HRSS = {
    "code": "hrss",
    "name": "某市人力资源和社会保障局",
    "uscc": "11100000000013127D",
    "division_code": "330100",
}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def make_client(exchange: TestClient, **over: Any) -> dict[str, Any]:
    assert exchange.post("/v1/admin/departments", json=HRSS, headers=ADMIN).status_code in (201, 409)
    body = {
        "department_code": "hrss",
        "name": "pension roster publisher",
        "scopes": ["lookup", "rosters:publish", "fields:aid", "programme:dibao"],
        "sources": ["hrss.pension"],
        **over,
    }
    response = exchange.post("/v1/admin/clients", json=body, headers=ADMIN)
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


def basic(client_id: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode(), **FORM}


def bearer(exchange: TestClient, made: dict[str, Any]) -> dict[str, str]:
    """The Authorization header of a fresh token for client ``made``."""
    response = exchange.post(
        "/oauth/token",
        content="grant_type=client_credentials",
        headers=basic(made["client_id"], made["client_secret"]),
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_the_registry_checks_what_it_is_given(exchange: TestClient) -> None:
    bad = exchange.post("/v1/admin/departments", json={**HRSS, "uscc": "11100000000013127A"}, headers=ADMIN)
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "uscc"
    assert exchange.post("/v1/admin/departments", json=HRSS, headers=ADMIN).status_code == 201
    again = exchange.post("/v1/admin/departments", json={**HRSS, "code": "hrss2"}, headers=ADMIN)
    assert again.status_code == 409  # the same USCC
    listed = exchange.get("/v1/admin/departments", headers=ADMIN).json()
    assert [(d["code"], d["division_code"]) for d in listed] == [("hrss", "330100")]

    body = {"department_code": "hrss", "name": "x publisher", "scopes": ["lookup"], "sources": ["mca.dibao"]}
    foreign = exchange.post("/v1/admin/clients", json=body, headers=ADMIN)
    assert foreign.status_code == 400 and foreign.json()["errors"][0]["field"] == "sources"
    unknown = exchange.post(
        "/v1/admin/clients", json={**body, "sources": [], "scopes": ["fields:all"]}, headers=ADMIN
    )
    assert unknown.status_code == 400 and "fields:all" in unknown.json()["detail"]
    nobody = exchange.post(
        "/v1/admin/clients", json={**body, "department_code": "edu", "sources": []}, headers=ADMIN
    )
    assert nobody.status_code == 404


def test_registry_routes_need_the_admin_scope(exchange: TestClient) -> None:
    assert exchange.get("/v1/admin/departments").status_code == 401
    assert exchange.get("/v1/admin/departments", headers=auth("exchange", "lookup")).status_code == 403


def test_client_credentials_give_a_short_lived_token_with_the_clients_scopes(exchange: TestClient) -> None:
    made = make_client(exchange)
    with exchange.app.state.db.unit_of_work() as uow:  # type: ignore[attr-defined]
        stored = uow.session.scalars(select(Client)).one().secret_hash
    assert made["client_secret"] not in stored and stored.startswith("sha256$")

    response = exchange.post(
        "/oauth/token",
        content="grant_type=client_credentials",
        headers=basic(made["client_id"], made["client_secret"]),
    )
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    issued = response.json()
    assert issued["token_type"] == "Bearer" and issued["expires_in"] == 300
    assert issued["scope"].split() == sorted(made["scopes"])
    me = exchange.get("/v1/me", headers={"Authorization": f"Bearer {issued['access_token']}"}).json()
    assert (me["client_id"], me["department_code"], me["division_code"]) == (
        made["client_id"],
        "hrss",
        "330100",
    )
    claims = jwt.decode(issued["access_token"], options={"verify_signature": False})
    assert claims["aud"] == audience_for("exchange") and claims["exp"] - claims["iat"] == 300

    narrower = exchange.post(
        "/oauth/token",
        content=f"grant_type=client_credentials&scope=lookup&client_id={made['client_id']}&client_secret={made['client_secret']}",
        headers=FORM,
    )  # client_secret_post, and a subset of the scopes
    assert narrower.status_code == 200 and narrower.json()["scope"] == "lookup"


def test_token_endpoint_errors_follow_oauth2(exchange: TestClient) -> None:
    made = make_client(exchange)
    cid, secret = made["client_id"], made["client_secret"]
    wrong = exchange.post(
        "/oauth/token", content="grant_type=client_credentials", headers=basic(cid, secret + "x")
    )
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    assert wrong.headers["www-authenticate"].startswith("Basic")
    nobody = exchange.post(
        "/oauth/token", content="grant_type=client_credentials", headers=basic("nobody", secret)
    )
    assert nobody.status_code == 401 and nobody.json()["error"] == "invalid_client"
    grant = exchange.post("/oauth/token", content="grant_type=password", headers=basic(cid, secret))
    assert grant.status_code == 400 and grant.json()["error"] == "unsupported_grant_type"
    beyond = exchange.post(
        "/oauth/token",
        content="grant_type=client_credentials&scope=fields:income",
        headers=basic(cid, secret),
    )
    assert beyond.status_code == 400 and beyond.json()["error"] == "invalid_scope"

    rotated = exchange.post(f"/v1/admin/clients/{cid}/secret", headers=ADMIN).json()["client_secret"]
    assert (
        exchange.post(
            "/oauth/token", content="grant_type=client_credentials", headers=basic(cid, secret)
        ).status_code
        == 401
    )
    assert (
        exchange.post(
            "/oauth/token", content="grant_type=client_credentials", headers=basic(cid, rotated)
        ).status_code
        == 200
    )
    assert exchange.delete(f"/v1/admin/clients/{cid}", headers=ADMIN).json()["active"] is False
    disabled = exchange.post(
        "/oauth/token", content="grant_type=client_credentials", headers=basic(cid, rotated)
    )
    assert disabled.status_code == 401 and disabled.json()["error"] == "invalid_client"


def test_expired_forged_unsigned_and_misaddressed_tokens_are_refused(exchange: TestClient) -> None:
    made = make_client(exchange)
    good = exchange.post(
        "/oauth/token",
        content="grant_type=client_credentials",
        headers=basic(made["client_id"], made["client_secret"]),
    )
    claims = jwt.decode(good.json()["access_token"], options={"verify_signature": False})
    aud = audience_for("exchange")
    now = time.time()
    tokens = {
        "expired": mint_token(
            DEV_JWT_SECRET,
            subject=claims["sub"],
            audience=aud,
            scopes=["lookup"],
            now=now - 3600,
            ttl_seconds=300,
        ),
        "wrong signature": mint_token(
            "another-secret-of-sufficient-length-0123456789",
            subject=claims["sub"],
            audience=aud,
            scopes=["lookup"],
        ),
        "alg none": jwt.encode({**claims, "exp": int(now) + 300}, None, algorithm="none"),
        "wrong audience": mint_token(
            DEV_JWT_SECRET, subject=claims["sub"], audience=audience_for("intake"), scopes=["lookup"]
        ),
        "tampered scopes": good.json()["access_token"].rsplit(".", 2)[0]
        + "."
        + base64.urlsafe_b64encode(jwt.api_jws.json.dumps({**claims, "scope": "exchange:admin"}).encode())
        .decode()
        .rstrip("=")
        + "."
        + good.json()["access_token"].rsplit(".", 1)[1],
    }
    for why, token in tokens.items():
        for method, path in (("GET", "/v1/me"), ("GET", "/v1/admin/departments")):
            response = exchange.request(method, path, headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 401, (why, path, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
    assert (
        exchange.get("/v1/me", headers={"Authorization": f"Bearer {good.json()['access_token']}"}).status_code
        == 200
    )


def test_a_client_beyond_its_rate_gets_429_and_others_do_not(db_url: Any) -> None:
    from tests.conftest import make_app

    app = make_app("exchange", db_url("exchange"), rate_per_minute=1, rate_burst=2)
    with TestClient(app) as exchange:
        fast, calm = make_client(exchange), make_client(exchange)
        for_fast, for_calm = bearer(exchange, fast), bearer(exchange, calm)
        assert [exchange.get("/v1/me", headers=for_fast).status_code for _ in range(3)] == [200, 200, 429]
        limited = exchange.get("/v1/me", headers=for_fast)
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
        assert limited.headers["content-type"].startswith("application/problem+json")
        assert exchange.get("/v1/me", headers=for_calm).status_code == 200
        guesses = [
            exchange.post(
                "/oauth/token",
                content="grant_type=client_credentials",
                headers=basic(fast["client_id"], f"guess{n}"),
            )
            for n in range(3)
        ]
        assert [g.status_code for g in guesses] == [401, 429, 429]  # bearer() had the first of two


def test_a_body_over_the_limit_is_413(exchange: TestClient) -> None:
    made = make_client(exchange)
    token = exchange.post(
        "/oauth/token",
        content="grant_type=client_credentials",
        headers=basic(made["client_id"], made["client_secret"]),
    )
    huge = b'{"purpose": "x", "queries": [' + b'{"id_number": "1"},' * 80_000 + b'{"id_number": "1"}]}'
    response = exchange.post(
        "/v1/lookups",
        content=huge,
        headers={
            "Authorization": f"Bearer {token.json()['access_token']}",
            "Content-Type": "application/json",
        },
    )
    assert response.status_code == 413 and response.headers["content-type"].startswith(
        "application/problem+json"
    )
