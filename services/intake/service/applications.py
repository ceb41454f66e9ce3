"""Submitting an application (idempotent, pre-checked), reading one, listing them."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from services.intake.adapters.orm import Application, ApplicationAction, Household, Member
from services.intake.adapters.repository import (
    ApplicationFilter,
    ApplicationRepository,
    IdempotencyRepository,
)
from services.intake.domain.application import ApplicationDraft
from services.intake.domain.validation import check_application
from services.intake.service.context import IntakeContext
from services.intake.service.records import draft_rows, precheck_request, submission_rows
from shared.auth import Principal
from shared.errors import BadRequest, FieldError, NotFound, ValidationFailed
from shared.events.outbox import utcnow
from shared.i18n import Text
from shared.logs import get_logger

log = get_logger("snx.intake")
Render = Callable[[Application, list[Text]], dict[str, Any]]


@dataclass(frozen=True)
class Submitted:
    status_code: int
    body: dict[str, Any]
    replayed: bool


def _key_reused() -> ValidationFailed:
    message = Text("Key reused with a different body", "同一键对应了不同的请求内容")
    return ValidationFailed(
        Text(
            "This Idempotency-Key was used with a different request body.",
            "该 Idempotency-Key 已用于内容不同的请求。",
        ),
        errors=[FieldError("header", ("Idempotency-Key",), "idempotency_key_reused", message)],
    )


def _invalid(errors: list[FieldError]) -> ValidationFailed:
    names = ", ".join(e.field_name for e in errors[:10])
    return ValidationFailed(
        Text(f"The application is invalid: {names}.", f"申请信息有误：{names}。"), errors=errors
    )


def submit_application(
    session: Session,
    who: Principal,
    ctx: IntakeContext,
    *,
    key: str,
    request_hash: str,
    draft: ApplicationDraft,
    render: Render,
) -> Submitted:
    """Validate, pre-check against matching, then store once per (client, Idempotency-Key).

    Matching is asked before the transaction touches the database, so no lock is held while it
    answers; a retry with the same key replays the first response and stores nothing.
    """
    checked = check_application(
        draft,
        ctx.divisions,
        ctx.today(),
        who.covers_division,
        reject_unknown_divisions=ctx.settings.reject_unknown_divisions,
    )
    if checked.errors:
        raise _invalid(checked.errors)
    now = utcnow()
    household, members, application = draft_rows(
        checked.draft, application_id=str(uuid.uuid4()), created_by=who.subject, now=now
    )
    result = ctx.prechecker.check(precheck_request(application, members))

    if result is not None:
        application |= {
            "precheck_status": "done",
            "precheck_result": result.model_dump(mode="json"),
            "precheck_attempts": 1,
            "precheck_next_at": None,
            "precheck_checked_at": now,
        }
    else:
        application["precheck_next_at"] = now + timedelta(seconds=ctx.settings.precheck_retry_seconds)
    # The response is rendered from what will be written (a detached object, no reload), so that
    # the key and its response go in with one statement that also settles concurrent retries.
    home = Household(**household, members=[Member(**m) for m in members])
    body = render(Application(**application, household=home), checked.warnings)
    keys = IdempotencyRepository(session)
    claim = {
        "client": who.subject,
        "key": key,
        "request_hash": request_hash,
        "status_code": 201,
        "response": body,
        "created_at": now,
    }
    if not keys.claim(claim):
        earlier = keys.get(who.subject, key)
        assert earlier is not None  # the conflicting row is committed, or we would have it
        if earlier.request_hash != request_hash:
            raise _key_reused()
        return Submitted(earlier.status_code, earlier.response, replayed=True)

    # Plain INSERTs, sent together: a submission is on the hot path (quality bar S1).
    ApplicationRepository(session).add_many(
        submission_rows(
            household,
            members,
            application,
            actor=who.subject,
            now=now,
            on=ctx.today(),
            details={"channel": application["channel"]},
        )
    )
    log.debug(
        "intake.application_submitted",
        application_id=application["id"],
        programme=application["programme"],
        precheck=application["precheck_status"],
    )
    return Submitted(201, body, replayed=False)


def get_application(
    session: Session, who: Principal, application_id: str, *, for_update: bool = False
) -> Application:
    app = ApplicationRepository(session).get(application_id, for_update=for_update)
    # Another township's application is "not found": its existence is not theirs to learn.
    if app is None or not who.covers_division(app.division_code):
        raise NotFound(Text("No such application.", "未找到该申请。"))
    return app


def history(session: Session, who: Principal, application_id: str) -> list[ApplicationAction]:
    get_application(session, who, application_id)
    return ApplicationRepository(session).history(application_id)


def encode_cursor(app: Application) -> str:
    raw = json.dumps([app.submitted_at.isoformat(), app.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        when, app_id = json.loads(raw)
        return datetime.fromisoformat(when), str(app_id)
    except (ValueError, TypeError) as exc:
        raise BadRequest(
            Text("The cursor is not one this service gave out.", "分页游标无效。"),
            errors=[FieldError("query", ("cursor",), "cursor_invalid", Text("Invalid cursor", "游标无效"))],
        ) from exc


def list_applications(
    session: Session, f: ApplicationFilter, cursor: str | None, limit: int
) -> tuple[list[Application], str | None]:
    after = decode_cursor(cursor) if cursor else None
    rows = ApplicationRepository(session).page(f, after, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (encode_cursor(rows[-1]) if more and rows else None)
