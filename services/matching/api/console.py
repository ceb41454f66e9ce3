"""The review console under ``/console``: server-rendered pages for county staff with the review
scope (``matching:review``). A staff token signs in once and is kept in an HttpOnly, SameSite=Strict
cookie (a Bearer header works too); a reviewer without the scope gets no page and no data.
Pages are Chinese by default, English with ``?lang=en`` (remembered in a cookie)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, Response

from services.matching.adapters.console_repository import QueueFilter
from services.matching.api.review import SCOPE_REVIEW
from services.matching.console import charts
from services.matching.console.text import text
from services.matching.console.web import (
    COOKIE,
    HERE,
    STATIC,
    LoginRequired,
    NoAccess,
    failed,
    form,
    language,
    off_loop,
    place,
    principal,
    render,
    see_other,
    staff,
)
from services.matching.service import console, review
from shared.errors import AppError

router = APIRouter(prefix="/console", include_in_schema=False)


def install(app: FastAPI) -> None:
    """The console's routes and the handlers that turn a missing sign-in or scope into pages."""

    async def login_required(request: Request, _: Exception) -> Response:
        return see_other("/console/login")

    async def no_access(request: Request, _: Exception) -> Response:
        return render(request, "no_access.html", 403)

    app.add_exception_handler(LoginRequired, login_required)
    app.add_exception_handler(NoAccess, no_access)
    app.include_router(router)


def _shown(
    request: Request, template: str, name: str, build: Callable[..., Any], *args: Any, **kw: Any
) -> Response:
    """A page from ``build(*args, **kw)``, or the error page of what it raised."""
    try:
        view = build(*args, **kw)
    except AppError as error:
        return failed(request, error)
    return render(request, template, **{name: view})


@router.get("/static/{name}")
def static(name: str) -> Response:
    if name not in STATIC:
        return Response(status_code=404)
    return FileResponse(
        HERE / "static" / name, media_type=STATIC[name], headers={"Cache-Control": "max-age=3600"}
    )


@router.get("/login")
def login_page(request: Request) -> Response:
    return render(request, "login.html")


@router.post("/login")
async def login(request: Request) -> Response:
    token = (await form(request)).get("token", "").strip()
    who = principal(request, token)
    if who is None:
        return render(request, "login.html", 401, error="bad_token")
    if SCOPE_REVIEW not in who.scopes:
        return render(request, "no_access.html", 403)
    response = see_other("/console")
    secure = request.app.state.settings.env == "prod"
    response.set_cookie(COOKIE, token, httponly=True, secure=secure, samesite="strict", path="/console")
    return response


@router.post("/logout")
def logout() -> Response:
    response = see_other("/console/login")
    response.delete_cookie(COOKIE, path="/console")
    return response


FILTERS = {  # query parameter → what it must look like
    "division": re.compile(r"[0-9]{2,12}"),
    "programme": re.compile(r"[a-z][a-z0-9_]{0,39}"),
    "rule": re.compile(r"[A-Za-z0-9]{1,10}"),
    "severity": re.compile(r"critical|high|medium|low"),
}


@router.get("")
def queue(request: Request) -> Response:
    who = staff(request)
    values = {k: request.query_params.get(k) or None for k in FILTERS}
    bad = next((k for k, v in values.items() if v is not None and not FILTERS[k].fullmatch(v)), None)
    if bad:
        label = text({"division": "township"}.get(bad, bad), language(request))
        return render(request, "error.html", 400, message=f"{label} ({bad})")
    state = request.app.state
    f = QueueFilter(**values)
    view = console.queue(state.db, state.rules, f)
    rules = [r.id for r in state.rules.rules]
    decided = request.query_params.get("decided") in ("pair", "finding")
    return render(request, "queue.html", who=who, q=view, f=f, rules=rules, decided=decided)


@router.get("/pairs/{pair_id}")
def pair(request: Request, pair_id: int) -> Response:
    who = staff(request)
    state = request.app.state
    return _shown(
        request, "pair.html", "p", console.pair_view, state.db, state.index, pair_id, reviewer=who.subject
    )


@router.post("/pairs/{pair_id}/reveal")
def reveal_pair(request: Request, pair_id: int) -> Response:
    who, state = staff(request), request.app.state
    build = console.pair_view
    return _shown(
        request, "pair.html", "p", build, state.db, state.index, pair_id, reviewer=who.subject, reveal=True
    )


def _refs(values: list[str]) -> list[tuple[str, str]]:
    return [(v.split("/", 1)[0], v.split("/", 1)[1]) for v in values if "/" in v]


@router.get("/compare")
def compare(request: Request) -> Response:
    who = staff(request)
    refs = _refs(request.query_params.getlist("record"))
    try:
        view = console.records_view(request.app.state.db, request.app.state.index, refs, reviewer=who.subject)
    except AppError as error:
        return failed(request, error)
    decided = request.query_params.get("decided") == "pair"
    return render(request, "compare.html", c=view, decided=decided)


@router.post("/compare/reveal")
async def reveal_compare(request: Request) -> Response:
    who = staff(request)
    body = (await request.body()).decode("utf-8", "replace")
    refs = _refs(parse_qs(body).get("record", []))
    state = request.app.state
    try:
        view = await off_loop(
            console.records_view, state.db, state.index, refs, reviewer=who.subject, reveal=True
        )
    except AppError as error:
        return failed(request, error)
    return render(request, "compare.html", c=view)


@router.post("/pairs/{pair_id}/decision")
async def decide_pair(request: Request, pair_id: int) -> Response:
    who = staff(request)
    fields = await form(request)
    state = request.app.state
    decision, reason = fields.get("decision"), fields.get("reason", "").strip()
    problem = _decision_problem(decision, reason, ("same_person", "different_people"))
    try:
        if problem:
            view = await off_loop(console.pair_view, state.db, state.index, pair_id, reviewer=who.subject)
            return render(request, "pair.html", 400, p=view, problem=problem, reason=reason)
        await off_loop(
            console.decide_pair,
            state.db,
            state.index,
            pair_id,
            same_person=decision == "same_person",
            reviewer=who.subject,
            reason=reason[:2000],
        )
    except AppError as error:
        return failed(request, error)
    return see_other("/console?" + urlencode({"decided": "pair"}))


def _decision_problem(decision: str | None, reason: str, allowed: tuple[str, ...]) -> str | None:
    if decision not in allowed:
        return "decision"
    return None if len(reason) >= 2 else "reason"


@router.post("/decisions")
async def decide_records(request: Request) -> Response:
    """Decide any two records (from the compare view): a wrong merge undone, a missed one made."""
    who = staff(request)
    fields = await form(request)
    state = request.app.state
    refs = _refs([fields.get("a", ""), fields.get("b", "")])
    reason = fields.get("reason", "").strip()
    problem = _decision_problem(fields.get("decision"), reason, ("same_person", "different_people"))
    try:
        if problem or len(refs) != 2:
            view = await off_loop(console.records_view, state.db, state.index, refs, reviewer=who.subject)
            return render(request, "compare.html", 400, c=view, problem=problem or "records", reason=reason)
        await off_loop(
            review.decide_pair,
            state.db,
            state.index,
            refs[0],
            refs[1],
            same_person=fields.get("decision") == "same_person",
            reviewer=who.subject,
            reason=reason[:2000],
        )
    except AppError as error:
        return failed(request, error)
    query = urlencode([("record", f"{s}/{r}") for s, r in refs] + [("decided", "pair")])
    return see_other(f"/console/compare?{query}")


@router.get("/findings/{finding_id}")
def finding(request: Request, finding_id: str) -> Response:
    staff(request)
    state = request.app.state
    return _shown(request, "finding.html", "x", console.finding_view, state.db, state.rules, finding_id)


@router.post("/findings/{finding_id}/reveal")
def reveal_finding(request: Request, finding_id: str) -> Response:
    who, state = staff(request), request.app.state
    build = console.finding_view
    return _shown(
        request, "finding.html", "x", build, state.db, state.rules, finding_id, reveal_by=who.subject
    )


@router.post("/findings/{finding_id}/decision")
async def decide_finding(request: Request, finding_id: str) -> Response:
    who = staff(request)
    fields = await form(request)
    state = request.app.state
    decision, reason = fields.get("decision", ""), fields.get("reason", "").strip()
    problem = _decision_problem(decision, reason, ("confirm", "dismiss"))
    try:
        if problem:
            view = await off_loop(console.finding_view, state.db, state.rules, finding_id)
            return render(request, "finding.html", 400, x=view, problem=problem, reason=reason)
        await off_loop(console.decide_finding, state.db, finding_id, decision, who.subject, reason[:2000])
    except AppError as error:
        return failed(request, error)
    return see_other("/console?" + urlencode({"decided": "finding"}))


@router.get("/persons/{person_id}")
def person(request: Request, person_id: str) -> Response:
    staff(request)
    state = request.app.state
    return _shown(request, "household.html", "h", console.household, state.db, state.rules, person_id)


@router.post("/persons/{person_id}/reveal")
def reveal_person(request: Request, person_id: str) -> Response:
    who, state = staff(request), request.app.state
    build = console.household
    return _shown(
        request, "household.html", "h", build, state.db, state.rules, person_id, reveal_by=who.subject
    )


@router.get("/history")
def history(request: Request) -> Response:
    staff(request)
    return render(request, "history.html", h=console.history(request.app.state.db, request.app.state.rules))


@router.get("/overview")
def overview(request: Request) -> Response:
    staff(request)
    o = console.overview(request.app.state.db)
    lang = language(request)
    return render(
        request,
        "overview.html",
        weekly=charts.weekly(o["by_week"], text("findings_by_week", lang)),
        coverage=charts.bars(
            [(place(code), n, found) for code, n, found in o["coverage"]],
            text("coverage", lang),
            (text("receiving_persons", lang), text("open_findings", lang)),
        ),
        o=o,
    )
