"""exchange's client of matching's roster API (``shared.contracts.rosters``): a department's
upload is streamed through as it arrives, never held whole."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx

from services.exchange.config import ExchangeSettings
from shared.contracts.rosters import NDJSON, ROSTERS_PATH, SCOPE_ROSTERS
from shared.http import ServiceTokenAuth, forward_request_id, service_client


class MatchingRosters:
    def __init__(self, settings: ExchangeSettings, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._client = httpx.AsyncClient(
            base_url=settings.url_of("matching"),
            auth=ServiceTokenAuth(settings, "matching", [SCOPE_ROSTERS]),
            event_hooks={"request": [_forward_request_id]},
            timeout=httpx.Timeout(settings.http_timeout_seconds, read=settings.roster_timeout_seconds),
            transport=transport,
        )

    async def send(self, source: str, mode: str, lines: AsyncIterator[bytes]) -> httpx.Response:
        """Stream NDJSON lines to matching; its answer (the upload's counts), whatever its status."""
        return await self._client.post(
            f"{ROSTERS_PATH}/{source}/{mode}", content=lines, headers={"Content-Type": NDJSON}
        )

    async def upload(self, upload_id: str, after_line: int, limit: int) -> dict[str, Any]:
        response = await self._client.get(
            f"{ROSTERS_PATH}/uploads/{upload_id}", params={"after_line": after_line, "limit": limit}
        )
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body

    async def __aenter__(self) -> MatchingRosters:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self._client.aclose()


async def _forward_request_id(request: httpx.Request) -> None:
    forward_request_id(request)


class MatchingChecks:
    """Who these people are and what aid they receive: matching's ``POST /v1/checks``."""

    PATH = "/v1/checks"
    SCOPE = "matching:check"
    MAX_MEMBERS = 30

    def __init__(self, settings: ExchangeSettings) -> None:
        self._client = service_client(settings, "matching", [self.SCOPE])

    def members(self, members: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """matching's answer for each member, in order (several calls for a long list)."""
        out: list[dict[str, Any]] = []
        for at in range(0, len(members), self.MAX_MEMBERS):
            response = self._client.post(self.PATH, json={"members": members[at : at + self.MAX_MEMBERS]})
            response.raise_for_status()
            out += response.json()["members"]
        return out

    def close(self) -> None:
        self._client.close()


class MatchingFindings:
    """The findings about one person (matching's review API, read with a service token)."""

    PATH = "/v1/findings"
    SCOPE = "matching:review"

    def __init__(self, settings: ExchangeSettings) -> None:
        self._client = service_client(settings, "matching", [self.SCOPE])

    def of_person(self, person_id: str) -> list[dict[str, Any]]:
        response = self._client.get(self.PATH, params={"person_id": person_id, "limit": 100})
        response.raise_for_status()
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    def close(self) -> None:
        self._client.close()


class MatchingContacts:
    """How to reach persons (matching's persons API, read with a service token)."""

    PATH = "/v1/persons/contact"
    SCOPE = "matching:contact"

    def __init__(self, settings: ExchangeSettings) -> None:
        self._client = service_client(settings, "matching", [self.SCOPE])

    def of_persons(self, person_ids: list[str]) -> dict[str, dict[str, Any]]:
        if not person_ids:
            return {}
        response = self._client.post(self.PATH, json={"person_ids": person_ids})
        response.raise_for_status()
        persons: dict[str, dict[str, Any]] = response.json()["persons"]
        return persons

    def close(self) -> None:
        self._client.close()
