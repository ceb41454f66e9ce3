"""The public notice list (公示): open to the public, so it shows what the law allows and no more."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from services.intake.api.applications import Context
from services.intake.service.notices import notices
from shared.i18n import negotiate_language
from shared.web.deps import SessionDep

router = APIRouter(prefix="/v1/notices", tags=["notices"])


class NoticeRead(BaseModel):
    id: str
    programme: str
    programme_name: str
    name: str | None
    household_size: int
    amount: Decimal | None
    division_code: str
    division_name: str | None
    start_on: date
    end_on: date


class NoticePage(BaseModel):
    items: list[NoticeRead]
    next_cursor: str | None


@router.get("", response_model=NoticePage, summary="Public notice list of a township or village (公示名单)")
def list_notices(
    request: Request,
    session: SessionDep,
    ctx: Context,
    division: Annotated[str, Query(max_length=12, description="9-digit township or 12-digit village code")],
    cursor: Annotated[str | None, Query(max_length=36)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> NoticePage:
    lang = negotiate_language(request.headers.get("accept-language"))
    entries, next_cursor = notices(session, ctx, division, lang, cursor, limit)
    return NoticePage(items=[NoticeRead(**e.__dict__) for e in entries], next_cursor=next_cursor)
