"""Departments, their OAuth2 clients, and the client-credentials grant (RFC 6749 §4.4).

A client's secret is 256 random bits, shown once when it is made (or rotated) and kept only as a
SHA-256 hash: a secret of that strength needs no slow password hash, and a slow one would make
the token endpoint an easy target. Tokens are short-lived JWTs for exchange's audience, carrying
the client's department and the scopes granted (all the client's, or the subset it asked for).
A disabled client gets no new token; one it holds expires within its short lifetime.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from services.exchange.adapters.orm import Client, Department
from services.exchange.adapters.repository import ClientRepository, DepartmentRepository
from services.exchange.domain import scopes as vocabulary
from shared.auth import mint_token
from shared.codes.divisions import InvalidDivisionCode, canonical_code
from shared.codes.uscc import is_valid_uscc
from shared.errors import AppError, Conflict, NotFound, bad_field
from shared.events.outbox import utcnow
from shared.i18n import Text

CODE = re.compile(r"[a-z][a-z0-9_]{1,19}(\.[a-z0-9_]{1,19})?")
SOURCE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)*")
CLIENT_PREFIX = "client:"


class OAuthError(AppError):
    """An error of the token endpoint: RFC 6749 §5.2's ``error`` code beside the problem fields."""

    def __init__(self, status: int, error: str, detail: Text, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail, headers=headers, extra={"error": error, "error_description": detail.en})
        self.status = status  # type: ignore[misc]  # per instance: 400 or 401


def hash_secret(secret: str) -> str:
    return "sha256$" + hashlib.sha256(secret.encode()).hexdigest()


def register_department(
    session: Session, *, code: str, name: str, uscc: str, division_code: str | None
) -> Department:
    if not CODE.fullmatch(code):
        raise bad_field(
            "code",
            "invalid",
            Text("A lower-case code such as hrss or edu.330106.", "代码应为小写字母等，如 hrss。"),
        )
    if not is_valid_uscc(uscc):
        raise bad_field(
            "uscc", "invalid_uscc", Text("Not a valid unified social credit code.", "统一社会信用代码无效。")
        )
    if division_code is not None:
        try:
            division_code = canonical_code(division_code)
        except InvalidDivisionCode as exc:
            raise bad_field(
                "division_code", "invalid", Text("Not a division code.", "不是有效的区划代码。")
            ) from exc
    repo = DepartmentRepository(session)
    if repo.get(code) is not None or repo.by_uscc(uscc) is not None:
        raise Conflict(Text("This department is registered already.", "该部门已登记。"))
    department = Department(code=code, name=name, uscc=uscc, division_code=division_code, created_at=utcnow())
    repo.add(department)
    return department


@dataclass
class NewSecret:
    client: Client
    secret: str  # shown once


def create_client(
    session: Session, *, department_code: str, name: str, scopes: list[str], sources: list[str]
) -> NewSecret:
    department = DepartmentRepository(session).get(department_code)
    if department is None:
        raise NotFound(Text("No such department.", "没有该部门。"))
    bad = vocabulary.unknown(scopes)
    if bad:
        raise bad_field(
            "scopes",
            "unknown_scope",
            Text(f"Unknown scope(s): {', '.join(bad)}.", f"未知的权限范围：{'、'.join(bad)}。"),
        )
    foreign = [s for s in sources if not SOURCE.fullmatch(s) or not vocabulary.owns(department_code, s)]
    if foreign:
        raise bad_field(
            "sources",
            "not_own_source",
            Text(
                f"Only sources named after the department ({department_code}.…): {', '.join(foreign)}.",
                f"部门只能发布以其代码命名的名册（{department_code}.…）：{'、'.join(foreign)}。",
            ),
        )
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    client = Client(
        client_id=f"{department_code}-{secrets.token_hex(6)}",
        department_code=department_code,
        name=name,
        secret_hash=hash_secret(secret),
        scopes=sorted(set(scopes)),
        sources=sorted(set(sources)),
        active=True,
        created_at=now,
        secret_set_at=now,
    )
    ClientRepository(session).add(client)
    return NewSecret(client, secret)


def rotate_secret(session: Session, client_id: str) -> NewSecret:
    client = _client(session, client_id)
    secret = secrets.token_urlsafe(32)
    client.secret_hash, client.secret_set_at = hash_secret(secret), utcnow()
    return NewSecret(client, secret)


def disable_client(session: Session, client_id: str) -> Client:
    client = _client(session, client_id)
    client.active = False
    return client


def _client(session: Session, client_id: str) -> Client:
    client = ClientRepository(session).get(client_id)
    if client is None:
        raise NotFound(Text("No such client.", "没有该客户端。"))
    return client


def issue_token(
    session: Session,
    *,
    client_id: str,
    secret: str,
    requested: list[str] | None,
    signing_secret: str,
    audience: str,
    issuer: str,
    ttl_seconds: int,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The client-credentials grant: a token for a known, active client whose secret matches."""
    client = ClientRepository(session).get(client_id)
    given = hash_secret(secret)
    expected = client.secret_hash if client is not None else hash_secret(secrets.token_urlsafe(32))
    if client is None or not hmac.compare_digest(given, expected) or not client.active:
        raise OAuthError(
            401,
            "invalid_client",
            Text("Unknown client, wrong secret or disabled client.", "客户端不存在、密钥错误或已停用。"),
            headers={"WWW-Authenticate": 'Basic realm="exchange"'},
        )
    granted = set(client.scopes)
    if requested is not None:
        beyond = sorted(set(requested) - granted)
        if beyond:
            raise OAuthError(
                400,
                "invalid_scope",
                Text(
                    f"Not granted to this client: {', '.join(beyond)}.",
                    f"该客户端未获授权：{'、'.join(beyond)}。",
                ),
            )
        granted = set(requested)
    department = DepartmentRepository(session).get(client.department_code)
    token = mint_token(
        signing_secret,
        subject=CLIENT_PREFIX + client.client_id,
        audience=audience,
        scopes=granted,
        division=department.division_code if department else None,
        ttl_seconds=ttl_seconds,
        issuer=issuer,
        now=now.timestamp() if now else None,
        extra={"department": client.department_code},
    )
    return {
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": ttl_seconds,
        "scope": " ".join(sorted(granted)),
    }
