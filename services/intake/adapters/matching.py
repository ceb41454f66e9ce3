"""intake's clients of matching: the pre-check (``shared.contracts.precheck``) and the economic
check (``shared.contracts.economic_check``).

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
from shared.contracts.economic_check import (
    ECONOMIC_CHECK_PATH,
    SCOPE_ECONOMIC_CHECK,
    EconomicCheckReport,
    EconomicCheckRequest,
)
from shared.contracts.precheck import PRECHECK_PATH, SCOPE_PRECHECK, PrecheckRequest, PrecheckResult
from shared.errors import ServiceUnavailable
from shared.http import service_client
from shared.i18n import Text
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


class EconomicCheckClient:
    """Asks matching for a household's economic check (``shared.contracts.economic_check``)."""

    def __init__(self, settings: IntakeSettings, transport: httpx.BaseTransport | None = None) -> None:
        self._client = service_client(settings, "matching", [SCOPE_ECONOMIC_CHECK], transport=transport)
        self._timeout = settings.economic_check_timeout_seconds

    def check(self, request: EconomicCheckRequest) -> EconomicCheckReport:
        try:
            response = self._client.post(
                ECONOMIC_CHECK_PATH, json=request.model_dump(mode="json"), timeout=self._timeout
            )
            response.raise_for_status()
            return EconomicCheckReport.model_validate(response.json())
        except (httpx.HTTPError, ValidationError, ValueError) as exc:
            log.warning("intake.economic_check_unavailable", error=type(exc).__name__)
            raise ServiceUnavailable(
                Text(
                    "The economic check could not be made now; try again later.",
                    "暂时无法进行经济状况核对，请稍后再试。",
                )
            ) from exc

    def close(self) -> None:
        self._client.close()
