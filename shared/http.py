"""httpx clients for calls between services: a service token and ``X-Request-ID`` on every call."""

from __future__ import annotations

from collections.abc import Generator, Iterable

import httpx

from shared.auth import mint_token
from shared.logs import request_id_var
from shared.settings import ServiceSettings, audience_for


class ServiceTokenAuth(httpx.Auth):
    """Mints a short-lived token for the target service on each request (HS256 is cheap)."""

    def __init__(self, settings: ServiceSettings, target: str, scopes: Iterable[str]) -> None:
        self._settings = settings
        self._audience = audience_for(target)
        self._scopes = tuple(scopes)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = mint_token(
            self._settings.jwt_secret.get_secret_value(),
            subject=f"service:{self._settings.service_name}",
            audience=self._audience,
            scopes=self._scopes,
            ttl_seconds=300,
            issuer=self._settings.jwt_issuer,
        )
        request.headers["Authorization"] = f"Bearer {token}"
        yield request


def forward_request_id(request: httpx.Request) -> None:
    rid = request_id_var.get()
    if rid and "x-request-id" not in request.headers:
        request.headers["X-Request-ID"] = rid


def service_client(
    settings: ServiceSettings,
    target: str,
    scopes: Iterable[str],
    *,
    transport: httpx.BaseTransport | None = None,
) -> httpx.Client:
    """A client for ``target`` (``intake`` | ``matching`` | ``exchange``)."""
    return httpx.Client(
        base_url=settings.url_of(target),
        auth=ServiceTokenAuth(settings, target, scopes),
        event_hooks={"request": [forward_request_id]},
        timeout=settings.http_timeout_seconds,
        transport=transport,
    )
