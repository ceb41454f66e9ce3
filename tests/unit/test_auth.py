"""JWT verification: audience, expiry, signature, algorithm, scopes and the division claim."""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest

from shared.auth import Principal, mint_token, verify_token
from shared.errors import Unauthorized
from shared.settings import DEV_JWT_SECRET

SECRET = DEV_JWT_SECRET


def verify(token: str, audience: str = "snx-intake") -> Principal:
    return verify_token(token, secret=SECRET, audience=audience, issuer="snx", leeway=0)


def good(**kw: object) -> str:
    args: dict[str, object] = {"subject": "u1", "audience": "snx-intake", "scopes": ["intake:read"]}
    args.update(kw)
    return mint_token(SECRET, **args)  # type: ignore[arg-type]


def test_valid_token_gives_principal() -> None:
    p = verify(good(division="110105001", scopes=["intake:read", "intake:write"]))
    assert p.subject == "u1"
    assert p.scopes == {"intake:read", "intake:write"}
    assert p.division == "110105001"


def test_expired_token_is_refused() -> None:
    token = good(now=time.time() - 7200, ttl_seconds=60)
    with pytest.raises(Unauthorized) as err:
        verify(token)
    assert err.value.detail is not None and "expired" in err.value.detail.en


def test_wrong_audience_is_refused() -> None:
    with pytest.raises(Unauthorized) as err:
        verify(good(audience="snx-exchange"))
    assert err.value.detail is not None and "not meant for this service" in err.value.detail.en


def test_wrong_signature_is_refused() -> None:
    forged = mint_token(
        "another-secret-of-sufficient-length!!", subject="u1", audience="snx-intake", scopes=[]
    )
    with pytest.raises(Unauthorized):
        verify(forged)


def test_alg_none_is_refused() -> None:
    claims = jwt.decode(good(), options={"verify_signature": False})
    header = base64.urlsafe_b64encode(json.dumps({"alg": "none", "typ": "JWT"}).encode()).rstrip(b"=")
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=")
    with pytest.raises(Unauthorized):
        verify(f"{header.decode()}.{payload.decode()}.")


def test_token_without_expiry_is_refused() -> None:
    token = jwt.encode(
        {"sub": "u", "aud": "snx-intake", "iss": "snx", "iat": int(time.time())}, SECRET, "HS256"
    )
    with pytest.raises(Unauthorized):
        verify(token)


@pytest.mark.parametrize(
    ("claim", "code", "allowed"),
    [
        ("110105001", "110105001", True),
        ("110105001", "110105001203", True),
        ("110105001", "110105002", False),
        ("110105001", "110105", False),
        ("110105", "110105002001", True),
        ("110105", "110106001", False),
        (None, "650102001", True),
    ],
)
def test_division_claim_limits_reach(claim: str | None, code: str, allowed: bool) -> None:
    assert Principal("u", frozenset(), division=claim).covers_division(code) is allowed
