"""Webhooks: Standard Webhooks signatures (https://www.standardwebhooks.com), retry timing, and
which target addresses are allowed.

A delivery carries ``webhook-id`` (the event's id: the same on every retry, so a receiver can
drop repeats), ``webhook-timestamp`` (Unix seconds) and ``webhook-signature``:
``v1,`` + base64(HMAC-SHA256(key, f"{id}.{timestamp}.{body}")), where the key is the base64 part
of the subscription's ``whsec_…`` secret. ``verify`` is the receiver's side, written to be copied.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import random
import secrets
import socket
import time
from collections.abc import Mapping

TOLERANCE_SECONDS = 300


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def headers(secret: str, msg_id: str, body: bytes, now: float | None = None) -> dict[str, str]:
    timestamp = int(now if now is not None else time.time())
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, msg_id, timestamp, body),
        "content-type": "application/json",
    }


class InvalidSignature(ValueError):
    pass


def verify(secret: str, headers: Mapping[str, str], body: bytes, now: float | None = None) -> None:
    """For receivers (copy it): raises ``InvalidSignature`` unless the delivery is signed with this
    secret and its timestamp is within five minutes (an old delivery replayed is refused)."""
    try:
        msg_id, stamp = headers["webhook-id"], int(headers["webhook-timestamp"])
        offered = headers["webhook-signature"].split()
    except (KeyError, ValueError) as exc:
        raise InvalidSignature("missing or malformed webhook headers") from exc
    if abs((now if now is not None else time.time()) - stamp) > TOLERANCE_SECONDS:
        raise InvalidSignature("timestamp outside the tolerance: a replay, or a clock far off")
    expected = sign(secret, msg_id, stamp, body)
    if not any(hmac.compare_digest(expected, s) for s in offered):  # several while a secret rotates
        raise InvalidSignature("no signature matches")


def backoff_seconds(attempt: int, base: float = 5.0, cap: float = 3600.0) -> float:
    """Exponential backoff with full jitter: 0 … min(cap, base · 2^attempt) seconds."""
    return random.uniform(0, min(cap, base * 2**attempt))


def private_target(url_host: str) -> str | None:
    """Why a host is refused as a webhook target (loopback, private, link-local …), else None."""
    try:
        infos = socket.getaddrinfo(url_host, None)
    except socket.gaierror:
        return "the host does not resolve"
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if address.is_loopback or address.is_private or address.is_link_local or address.is_reserved:
            return f"{address} is a loopback, private or link-local address"
        if address.is_multicast or address.is_unspecified:
            return f"{address} is not a unicast address"
    return None
