"""The review console's web plumbing: sign-in by staff token, language, templates and their
filters, and the page response with its security headers. Routes: ``services/matching/api/console``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from anyio import to_thread
from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from services.matching.api.review import SCOPE_REVIEW
from services.matching.console.text import LANGS, Lang, text
from shared.auth import Principal, verify_token
from shared.codes.divisions import DivisionTable
from shared.errors import AppError, Unauthorized
from shared.i18n import negotiate_language

COOKIE, LANG_COOKIE = "snx_console", "snx_lang"
HERE = Path(__file__).parent
TEMPLATES = Jinja2Templates(directory=HERE / "templates")
CHINA = timezone(timedelta(hours=8), "CST")  # 北京时间: what county staff read (no daylight saving)


def _local(at: datetime | None) -> str:
    """A stored instant (UTC; naive from SQLite) in Beijing time."""
    if at is None:
        return ""
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(CHINA).strftime("%Y-%m-%d %H:%M")


def place(code: str | None) -> str:
    """A division code with its name from the shipped division table (``建外街道 110105001``)."""
    if not code:
        return "—"
    name = DivisionTable.load().name(code)
    return f"{name} {code}" if name else code


TEMPLATES.env.filters["local"] = _local
TEMPLATES.env.filters["place"] = place
STATIC = {"console.css": "text/css", "console.js": "text/javascript"}
HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'"
    ),
}


class LoginRequired(Exception):
    """No valid staff token: go and sign in."""


class NoAccess(Exception):
    """A valid token without the review scope: no page, no data."""


def principal(request: Request, token: str | None) -> Principal | None:
    if not token:
        return None
    settings = request.app.state.settings
    try:
        return verify_token(
            token,
            secret=settings.jwt_secret.get_secret_value(),
            audience=settings.audience,
            issuer=settings.jwt_issuer,
            leeway=settings.jwt_leeway_seconds,
        )
    except Unauthorized:
        return None


def staff(request: Request) -> Principal:
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else request.cookies.get(COOKIE)
    who = principal(request, token)
    if who is None:
        raise LoginRequired
    if SCOPE_REVIEW not in who.scopes:
        raise NoAccess
    return who


def language(request: Request) -> Lang:
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    if asked in LANGS:
        return asked
    return negotiate_language(request.headers.get("accept-language"), default="zh")


def render(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    lang = language(request)
    response = TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "lang": lang,
            "t": partial(text, lang=lang),
            "path": request.url.path,
            "other_lang": "en" if lang == "zh" else "zh",
            **context,
        },
        status_code=status,
        headers=HEADERS,
    )
    if request.query_params.get("lang") in LANGS:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="strict", path="/console")
    return response


def failed(request: Request, error: AppError) -> Response:
    lang = language(request)
    return render(
        request, "error.html", error.status, message=error.detail.get(lang) if error.detail else None
    )


async def form(request: Request) -> dict[str, str]:
    body = (await request.body()).decode("utf-8", "replace")
    return {k: v[0] for k, v in parse_qs(body).items()}


async def off_loop(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return await to_thread.run_sync(partial(fn, *args, **kwargs))


def see_other(url: str) -> Response:
    return RedirectResponse(url, status_code=303, headers=HEADERS)
