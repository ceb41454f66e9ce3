"""ASGI middleware: request ids, one access line per request, the last-resort 500, body limits."""

from __future__ import annotations

import re
import time
import uuid

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.errors import AppError, PayloadTooLarge
from shared.i18n import Text
from shared.logs import get_logger, request_id_var
from shared.web.problems import problem_response

REQUEST_ID_HEADER = "x-request-id"
_VALID_RID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
QUIET_PREFIXES = ("/internal/events", "/healthz", "/readyz", "/metrics")
log = get_logger("snx.http")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


class RequestContextMiddleware:
    """Binds a request id (from ``X-Request-ID`` or new), echoes it, logs the request, and turns
    any unhandled exception into a problem+json 500 that carries no internals."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, REQUEST_ID_HEADER.encode())
        rid = incoming if incoming and _VALID_RID.match(incoming) else uuid.uuid4().hex
        request_id_var.set(rid)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_wrapper(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception as exc:
            log.error("http.unhandled_error", error_type=type(exc).__name__, exc_info=exc)
            if response_started:
                raise
            response = problem_response(AppError(), Request(scope))
            await response(scope, receive, send_wrapper)
        finally:
            seconds = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", None) or "unmatched"  # a template, never a path
            metrics = getattr(getattr(scope.get("app"), "state", None), "metrics", None)
            if metrics is not None:
                metrics.observe(str(scope.get("method")), route, status, seconds)
            # Polls and probes every second would drown the log: those go at debug level.
            quiet = status < 400 and str(scope.get("path", "")).startswith(QUIET_PREFIXES)
            (log.debug if quiet else log.info)(
                "http.request",
                method=scope.get("method"),
                path=scope.get("path"),
                status=status,
                duration_ms=round(seconds * 1000, 2),
            )


class BodySizeLimitMiddleware:
    """413 for a body over ``max_bytes``: at once when Content-Length says so, else while reading."""

    def __init__(self, app: ASGIApp, max_bytes: int, overrides: dict[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.overrides = overrides or {}  # path prefix → its own limit (uploads)

    def _limit(self, path: str) -> int:
        return next((n for prefix, n in self.overrides.items() if path.startswith(prefix)), self.max_bytes)

    @staticmethod
    def _too_large(limit: int) -> PayloadTooLarge:
        return PayloadTooLarge(
            Text(f"The request body is larger than {limit} bytes.", f"请求内容超过 {limit} 字节的上限。"),
            extra={"max_bytes": limit},
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope["path"])
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await problem_response(self._too_large(limit), Request(scope))(scope, receive, send)
            return
        received = 0
        rejected = False

        async def limited_receive() -> Message:
            # Past the limit we answer 413 ourselves and tell the app the client went away;
            # whatever the app then tries to send is dropped.
            nonlocal received, rejected
            if rejected:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    rejected = True
                    await problem_response(self._too_large(limit), Request(scope))(scope, receive, send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not rejected:
                await send(message)

        await self.app(scope, limited_receive, guarded_send)
