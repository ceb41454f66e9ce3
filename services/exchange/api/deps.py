"""What every department route depends on: a valid token with the route's scopes, within the
client's request rate (429 with ``Retry-After`` beyond it)."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable

from fastapi import Depends, Request

from shared.auth import Principal, require_scopes
from shared.errors import TooManyRequests
from shared.i18n import Text


def throttle(request: Request, key: str, message: Text) -> None:
    """429 with ``Retry-After`` when ``key``'s bucket is empty, else take a token from it."""
    wait = request.app.state.limiter.take(key)
    if wait:
        raise TooManyRequests(message, headers={"Retry-After": str(math.ceil(wait))})


def department(*scopes: str) -> Callable[..., Awaitable[Principal]]:
    async def dependency(request: Request, caller: Principal = Depends(require_scopes(*scopes))) -> Principal:
        why = Text("Too many requests from this client; slow down.", "该客户端请求过于频繁，请稍后再试。")
        throttle(request, caller.subject, why)
        return caller

    return dependency
