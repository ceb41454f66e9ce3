"""Application routes: submit (idempotent), read, list, history, and one route per workflow action."""

# No `from __future__ import annotations` here: the action routes are built in a loop, and FastAPI
# must see each one's own body model in its signature.

import hashlib
import json
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Header, Query, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from services.intake.adapters.repository import ApplicationFilter
from services.intake.api.action_schemas import BODIES, SUMMARIES, ActionBody
from services.intake.api.application_schemas import (
    ActionRead,
    ApplicationCreate,
    ApplicationPage,
    ApplicationRead,
    application_read,
    application_summary,
    history_read,
)
from services.intake.domain.policy import ACTION_SCOPES, SCOPE_READ, SCOPE_WRITE
from services.intake.domain.programmes import Programme
from services.intake.domain.workflow import Action, Status
from services.intake.service import applications as service
from services.intake.service import economic_checks, workflow
from services.intake.service.context import IntakeContext
from shared.auth import Principal, require_scopes
from shared.errors import BadRequest, FieldError, ValidationFailed
from shared.i18n import Text, negotiate_language
from shared.web.deps import SessionDep
from shared.web.problems import validation_errors

router = APIRouter(prefix="/v1/applications", tags=["applications"])
Writer = Annotated[Principal, Depends(require_scopes(SCOPE_WRITE))]
Reader = Annotated[Principal, Depends(require_scopes(SCOPE_READ))]
KEY_HELP = "Required. A retry with the same key replays the first response; keys are per client."


async def get_context(request: Request) -> IntakeContext:
    ctx: IntakeContext = request.app.state.intake
    return ctx


Context = Annotated[IntakeContext, Depends(get_context)]


def _key(value: str | None) -> str:
    if value is None or not (1 <= len(value) <= 200) or not value.isascii() or not value.isprintable():
        code, en, zh = (
            ("missing", "The Idempotency-Key header is required", "缺少 Idempotency-Key 请求头")
            if value is None
            else ("invalid", "1-200 printable ASCII characters", "应为 1-200 个可打印 ASCII 字符")
        )
        raise BadRequest(
            Text(en + ".", zh + "。"), errors=[FieldError("header", ("Idempotency-Key",), code, Text(en, zh))]
        )
    return value


@router.post(
    "",
    status_code=201,
    response_model=ApplicationRead,
    summary="Submit an application (申请)",
    responses={
        400: {"description": "No Idempotency-Key"},
        422: {"description": "Invalid fields, or a key reused"},
    },
)
def submit(
    body: ApplicationCreate,
    request: Request,
    session: SessionDep,
    who: Writer,
    ctx: Context,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", description=KEY_HELP)] = None,
) -> JSONResponse:
    key = _key(idempotency_key)
    digest = hashlib.sha256(json.dumps(body.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()
    lang = negotiate_language(request.headers.get("accept-language"))
    today = ctx.today()
    outcome = service.submit_application(
        session,
        who,
        ctx,
        key=key,
        request_hash=digest,
        draft=body.to_draft(),
        render=lambda app, warnings: application_read(app, today, [w.get(lang) for w in warnings]).model_dump(
            mode="json"
        ),
    )
    headers = {"Location": f"/v1/applications/{outcome.body['id']}"}
    if outcome.replayed:
        headers["Idempotent-Replayed"] = "true"
    return JSONResponse(outcome.body, status_code=outcome.status_code, headers=headers)


@router.get("", response_model=ApplicationPage, summary="List applications in your division")
def list_applications(
    session: SessionDep,
    who: Reader,
    ctx: Context,
    status: Annotated[list[Status], Query()] = [],  # noqa: B006 (FastAPI copies defaults)
    programme: Programme | None = None,
    township: Annotated[str | None, Query(pattern=r"^\d{9}$", description="9-digit township code")] = None,
    overdue: Annotated[
        bool, Query(description="Only those past a step or the whole-process deadline")
    ] = False,
    review_due: Annotated[bool, Query(description="Only active aid whose periodic review is due")] = False,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> ApplicationPage:
    today = ctx.today()
    f = ApplicationFilter(
        division=who.division,
        status=[s.value for s in status],
        programme=programme.value if programme else None,
        township=township,
        overdue_on=today if overdue else None,
        review_due_on=today if review_due else None,
    )
    rows, next_cursor = service.list_applications(session, f, cursor, limit)
    return ApplicationPage(items=[application_summary(a, today) for a in rows], next_cursor=next_cursor)


@router.get("/{application_id}", response_model=ApplicationRead, summary="One application")
def read(application_id: str, session: SessionDep, who: Reader, ctx: Context) -> ApplicationRead:
    return application_read(service.get_application(session, who, application_id), ctx.today())


@router.get("/{application_id}/history", response_model=list[ActionRead], summary="Who did what, and when")
def read_history(application_id: str, session: SessionDep, who: Reader) -> list[ActionRead]:
    return history_read(service.history(session, who, application_id))


def _empty_body(model: type[ActionBody]) -> ActionBody:
    """No body sent: fine for actions whose facts are all optional, else a 422 naming them."""
    try:
        return model.model_validate({})
    except ValidationError as exc:
        errors = validation_errors([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()])
        raise ValidationFailed(Text("Required facts are missing.", "缺少必填信息。"), errors=errors) from exc


def _action_route(action: Action) -> None:
    model = BODIES.get(action, ActionBody)
    Actor = Annotated[Principal, Depends(require_scopes(ACTION_SCOPES[action]))]

    def act(
        application_id: str,
        session: SessionDep,
        who: Actor,
        ctx: Context,
        body: Annotated[model | None, Body()] = None,  # type: ignore[valid-type]
    ) -> ApplicationRead:
        payload = (body or _empty_body(model)).model_dump()
        app = workflow.perform(session, who, ctx, application_id, action, payload)
        return application_read(app, ctx.today())

    router.add_api_route(
        f"/{{application_id}}/{action.value.replace('_', '-')}",
        act,
        methods=["POST"],
        response_model=ApplicationRead,
        summary=SUMMARIES[action],
        name=f"application_{action.value}",
    )


for _action in Action:
    _action_route(_action)


@router.post(
    "/{application_id}/economic-check",
    response_model=ApplicationRead,
    summary="Run the economic check in matching and record its report (核对并出具报告)",
)
def economic_check(
    application_id: str,
    session: SessionDep,
    who: Annotated[Principal, Depends(require_scopes(ACTION_SCOPES[Action.REPORT_CHECK]))],
    ctx: Context,
    body: Annotated[ActionBody | None, Body()] = None,
) -> ApplicationRead:
    body = body or ActionBody()
    app = economic_checks.run_economic_check(session, who, ctx, application_id, body.on, body.note)
    return application_read(app, ctx.today())
