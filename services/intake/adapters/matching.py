"""intake's client of matching: the pre-check (contract in ``shared.contracts.precheck``).

A failed call is not an error for the township: the application is kept with the pre-check
pending and a worker retries. After a failure the client stops calling for a short while (a
circuit breaker), so that submissions do not each wait out the timeout while matching is down.
"""

from __future__ import annotations

import threading
import time

import httpx
from pydantic import ValidationError

from services.intake.config import IntakeSettings
from shared.contracts.precheck import PRECHECK_PATH, SCOPE_PRECHECK, PrecheckRequest, PrecheckResult
from shared.http import service_client
from shared.logs import get_logger

log = get_logger("snx.intake.precheck")


class PrecheckClient:
    def __init__(self, settings: IntakeSettings, transport: httpx.BaseTransport | None = None) -> None:
        self._client = service_client(settings, "matching", [SCOPE_PRECHECK], transport=transport)
        self._timeout = settings.precheck_timeout_seconds
        self._breaker_seconds = settings.precheck_breaker_seconds
        self._open_until = 0.0
        self._lock = threading.Lock()

    def check(self, request: PrecheckRequest, *, use_breaker: bool = True) -> PrecheckResult | None:
        """Matching's answer, or None when it is down, slow or answers out of contract."""
        if use_breaker and time.monotonic() < self._open_until:
            return None
        try:
            response = self._client.post(
                PRECHECK_PATH, json=request.model_dump(mode="json"), timeout=self._timeout
            )
            response.raise_for_status()
            result = PrecheckResult.model_validate(response.json())
        except (httpx.HTTPError, ValidationError, ValueError) as exc:
            with self._lock:
                self._open_until = time.monotonic() + self._breaker_seconds
            log.warning("intake.precheck_unavailable", error=type(exc).__name__)
            return None
        with self._lock:
            self._open_until = 0.0
        return result

    def close(self) -> None:
        self._client.close()
