"""httpx clients for calls between services: a service token and ``X-Request-ID`` on every call."""

from __future__ import annotations

import time
from collections.abc import Generator, Iterable

import httpx

from shared.auth import mint_token
from shared.logs import request_id_var
from shared.settings import ServiceSettings, audience_for


class ServiceTokenAuth(httpx.Auth):
    """A short-lived token for the target service, minted again a minute before it expires."""

    TTL_SECONDS = 300

    def __init__(self, settings: ServiceSettings, target: str, scopes: Iterable[str]) -> None:
        self._settings = settings
        self._audience = audience_for(target)
        self._scopes = tuple(scopes)
        self._token = ""
        self._renew_at = 0.0

    def _current(self) -> str:
        now = time.monotonic()
        if now >= self._renew_at:  # a race here only mints one token too many
            self._token = mint_token(
                self._settings.jwt_secret.get_secret_value(),
                subject=f"service:{self._settings.service_name}",
                audience=self._audience,
                scopes=self._scopes,
                ttl_seconds=self.TTL_SECONDS,
                issuer=self._settings.jwt_issuer,
            )
            self._renew_at = now + self.TTL_SECONDS - 60
        return self._token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._current()}"
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
