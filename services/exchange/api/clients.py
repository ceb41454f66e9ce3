"""The department registry (staff), the OAuth2 token endpoint (departments), and ``/v1/me``."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import parse_qs, unquote_plus

from anyio import to_thread
from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from services.exchange.adapters.orm import Client, Department
from services.exchange.adapters.repository import DepartmentRepository
from services.exchange.api.deps import department, throttle
from services.exchange.service import clients
from shared.auth import Principal, require_scopes
from shared.errors import Forbidden
from shared.i18n import Text
from shared.web.deps import SessionDep

TOKEN_PATH = "/oauth/token"
SCOPE_ADMIN = "exchange:admin"
router = APIRouter(tags=["clients"])
Admin = Annotated[Principal, Depends(require_scopes(SCOPE_ADMIN))]
AnyCaller = Annotated[Principal, Depends(department())]


class DepartmentIn(BaseModel):
    code: str = Field(min_length=2, max_length=40, description="Short code, e.g. hrss, edu.330106")
    name: str = Field(min_length=2, max_length=200)
    uscc: str = Field(min_length=18, max_length=18, description="统一社会信用代码")
    division_code: str | None = Field(None, max_length=12, description="Where it acts; none: everywhere")


class DepartmentOut(BaseModel):
    code: str
    name: str
    uscc: str
    division_code: str | None
    created_at: datetime


class ClientIn(BaseModel):
    department_code: str = Field(min_length=2, max_length=40)
    name: str = Field(min_length=2, max_length=200)
    scopes: list[str] = Field(default_factory=list, max_length=50)
    sources: list[str] = Field(default_factory=list, max_length=50, description="Roster sources it publishes")


class ClientOut(BaseModel):
    client_id: str
    department_code: str
    name: str
    scopes: list[str]
    sources: list[str]
    active: bool
    created_at: datetime
    secret_set_at: datetime


class ClientWithSecret(ClientOut):
    client_secret: str = Field(description="Shown this once; only its hash is kept")


def _department(d: Department) -> DepartmentOut:
    return DepartmentOut(
        code=d.code, name=d.name, uscc=d.uscc, division_code=d.division_code, created_at=d.created_at
    )


def _client(c: Client) -> dict[str, Any]:
    return ClientOut.model_validate(c, from_attributes=True).model_dump()


@router.post(
    "/v1/admin/departments", status_code=201, response_model=DepartmentOut, summary="Register a department"
)
def register_department(body: DepartmentIn, session: SessionDep, _: Admin) -> DepartmentOut:
    return _department(clients.register_department(session, **body.model_dump()))


@router.get("/v1/admin/departments", response_model=list[DepartmentOut], summary="Registered departments")
def departments(session: SessionDep, _: Admin) -> list[DepartmentOut]:
    return [_department(d) for d in DepartmentRepository(session).all()]


@router.post(
    "/v1/admin/clients", status_code=201, response_model=ClientWithSecret, summary="New client credentials"
)
def create_client(body: ClientIn, session: SessionDep, _: Admin) -> dict[str, Any]:
    made = clients.create_client(session, **body.model_dump())
    return {**_client(made.client), "client_secret": made.secret}


@router.post(
    "/v1/admin/clients/{client_id}/secret", response_model=ClientWithSecret, summary="Rotate a secret"
)
def rotate_secret(client_id: str, session: SessionDep, _: Admin) -> dict[str, Any]:
    made = clients.rotate_secret(session, client_id)
    return {**_client(made.client), "client_secret": made.secret}


@router.delete("/v1/admin/clients/{client_id}", response_model=ClientOut, summary="Disable a client")
def disable_client(client_id: str, session: SessionDep, _: Admin) -> dict[str, Any]:
    return _client(clients.disable_client(session, client_id))


class TokenOut(BaseModel):
    access_token: str
    token_type: str
    expires_in: int
    scope: str


def _credentials(request: Request, form: dict[str, str]) -> tuple[str, str]:
    """client_secret_basic (preferred) or client_secret_post (RFC 6749 §2.3.1)."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            user, _, password = base64.b64decode(header[6:], validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            user, password = "", ""
        return unquote_plus(user), unquote_plus(password)  # form-encoded before base64 (§2.3.1)
    return form.get("client_id", ""), form.get("client_secret", "")


@router.post(
    TOKEN_PATH,
    response_model=TokenOut,
    summary="OAuth2 client-credentials token",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "required": ["grant_type"],
                        "properties": {
                            "grant_type": {"type": "string", "enum": ["client_credentials"]},
                            "scope": {"type": "string"},
                            "client_id": {"type": "string"},
                            "client_secret": {"type": "string"},
                        },
                    }
                }
            },
        }
    },
)
async def token(request: Request, response: Response) -> dict[str, Any]:
    form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
    if form.get("grant_type") != "client_credentials":
        raise clients.OAuthError(
            400,
            "unsupported_grant_type",
            Text("grant_type must be client_credentials.", "grant_type 必须为 client_credentials。"),
        )
    client_id, secret = _credentials(request, form)
    why = Text("Too many token requests for this client.", "该客户端令牌请求过于频繁。")
    throttle(request, "token:" + client_id, why)  # guessing a secret takes many tries
    requested = form["scope"].split() if form.get("scope") else None
    settings = request.app.state.settings
    db = request.app.state.db

    def issue() -> dict[str, Any]:
        with db.unit_of_work() as uow:
            return clients.issue_token(
                uow.session,
                client_id=client_id,
                secret=secret,
                requested=requested,
                signing_secret=settings.jwt_secret.get_secret_value(),
                audience=settings.audience,
                issuer=settings.jwt_issuer,
                ttl_seconds=settings.token_ttl_seconds,
            )

    issued = await to_thread.run_sync(issue)  # the form is read on the loop, the database off it
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return issued


class MeOut(BaseModel):
    client_id: str
    department_code: str
    scopes: list[str]
    division_code: str | None
    expires_at: datetime


@router.get("/v1/me", response_model=MeOut, summary="Who this token is: client, department, scopes")
def me(caller: AnyCaller) -> MeOut:
    if not caller.subject.startswith(clients.CLIENT_PREFIX):
        raise Forbidden(Text("Not a department client's token.", "不是部门客户端的令牌。"))
    return MeOut(
        client_id=caller.subject.removeprefix(clients.CLIENT_PREFIX),
        department_code=str(caller.claims.get("department", "")),
        scopes=sorted(caller.scopes),
        division_code=caller.division,
        expires_at=datetime.fromtimestamp(float(caller.claims["exp"]), tz=UTC),
    )
