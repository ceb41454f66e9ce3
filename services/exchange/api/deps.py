"""What every department route depends on: a valid token with the route's scopes, within the
client's request rate (429 with ``Retry-After`` beyond it)."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable

from fastapi import Depends, Request

from shared.auth import Principal, require_scopes
from shared.errors import TooManyRequests
from shared.i18n import Text


def department(*scopes: str) -> Callable[..., Awaitable[Principal]]:
    async def dependency(request: Request, caller: Principal = Depends(require_scopes(*scopes))) -> Principal:
        wait = request.app.state.limiter.take(caller.subject)
        if wait:
            raise TooManyRequests(
                Text("Too many requests from this client; slow down.", "该客户端请求过于频繁，请稍后再试。"),
                headers={"Retry-After": str(math.ceil(wait))},
            )
        return caller

    return dependency
