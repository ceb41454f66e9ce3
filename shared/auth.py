"""Authentication primitives: HS256 JWTs with audience, expiry, scopes and a ``division`` claim.

A token's ``division`` claim (a 6-, 9- or 12-digit division code) limits its holder to data inside
that division: a township portal's token carries its township code, a county's its county code;
service tokens and province-wide staff carry none.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.codes.divisions import is_within
from shared.errors import Forbidden, Unauthorized
from shared.i18n import Text
from shared.settings import ServiceSettings

ALGORITHM = "HS256"
SCOPE_EVENTS_READ = "events:read"

_bearer = HTTPBearer(auto_error=False, description="JWT from `snx token` or the exchange token endpoint")


@dataclass(frozen=True)
class Principal:
    """Who is calling: the token's subject, scopes and division."""

    subject: str
    scopes: frozenset[str]
    division: str | None = None
    claims: dict[str, Any] = field(default_factory=dict, compare=False)

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def covers_division(self, code: str | None) -> bool:
        """True when this caller may see data of division ``code`` (no claim → everywhere)."""
        if self.division is None:
            return True
        if not code:
            return False
        return is_within(code, self.division)


def mint_token(
    secret: str,
    *,
    subject: str,
    audience: str | list[str],
    scopes: Iterable[str],
    division: str | None = None,
    ttl_seconds: int = 3600,
    issuer: str = "snx",
    now: float | None = None,
    extra: dict[str, Any] | None = None,
) -> str:
    """A signed token; ``extra``: more claims (an exchange client's ``department``)."""
    issued = int(now if now is not None else time.time())
    claims: dict[str, Any] = {
        "iss": issuer,
        "sub": subject,
        "aud": audience,
        "iat": issued,
        "nbf": issued,
        "exp": issued + ttl_seconds,
        "jti": uuid.uuid4().hex,
        "scope": " ".join(sorted(set(scopes))),
    }
    if division:
        claims["division"] = division
    claims.update(extra or {})
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def _invalid(reason: Text) -> Unauthorized:
    return Unauthorized(reason, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


@lru_cache(maxsize=4096)
def _decode(token: str, secret: str, audience: str, issuer: str, leeway: int) -> dict[str, Any]:
    """A portal sends the same token with every request: its signature is checked once. Only
    valid tokens are cached (a raising call is not); expiry is checked again on every use."""
    claims: dict[str, Any] = jwt.decode(
        token,
        secret,
        algorithms=[ALGORITHM],
        audience=audience,
        issuer=issuer,
        leeway=leeway,
        options={"require": ["exp", "iat", "sub", "aud", "iss"]},
    )
    return claims


def verify_token(token: str, *, secret: str, audience: str, issuer: str, leeway: int = 30) -> Principal:
    """Decode and check a token; any fault is ``Unauthorized``. Only HS256 is accepted, so an
    unsigned (``alg: none``) or differently-signed token never passes."""
    try:
        claims = _decode(token, secret, audience, issuer, leeway)
        if float(claims["exp"]) + leeway <= time.time():
            raise jwt.ExpiredSignatureError("Signature has expired")
    except jwt.ExpiredSignatureError as exc:
        raise _invalid(Text("The token has expired.", "令牌已过期。")) from exc
    except jwt.InvalidAudienceError as exc:
        raise _invalid(Text("The token is not meant for this service.", "令牌的受众不是本服务。")) from exc
    except jwt.PyJWTError as exc:
        raise _invalid(Text("The token is invalid.", "令牌无效。")) from exc
    raw_scope = claims.get("scope", "")
    scopes = raw_scope.split() if isinstance(raw_scope, str) else [str(s) for s in raw_scope]
    division = claims.get("division")
    return Principal(
        subject=str(claims["sub"]),
        scopes=frozenset(scopes),
        division=str(division) if division else None,
        claims=claims,
    )


def authenticate(request: Request, credentials: HTTPAuthorizationCredentials | None) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized(
            Text("A bearer token is required.", "需要 Bearer 令牌。"), headers={"WWW-Authenticate": "Bearer"}
        )
    settings: ServiceSettings = request.app.state.settings
    principal = verify_token(
        credentials.credentials,
        secret=settings.jwt_secret.get_secret_value(),
        audience=settings.audience,
        issuer=settings.jwt_issuer,
        leeway=settings.jwt_leeway_seconds,
    )
    request.state.principal = principal
    return principal


def require_scopes(*required: str) -> Callable[..., Awaitable[Principal]]:
    """FastAPI dependency: a valid token holding every scope in ``required`` (401 / 403)."""

    async def dependency(  # async: pure CPU, so FastAPI need not hop to a worker thread for it
        request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)
    ) -> Principal:
        principal = authenticate(request, credentials)
        missing = sorted(set(required) - principal.scopes)
        if missing:
            raise Forbidden(
                Text(f"Missing scope(s): {', '.join(missing)}.", f"缺少权限范围：{'、'.join(missing)}。"),
                extra={"missing_scopes": missing},
            )
        return principal

    dependency.required_scopes = frozenset(required)  # type: ignore[attr-defined]  # the policy, readable
    return dependency
