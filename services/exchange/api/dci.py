"""DCI-compatible synchronous endpoints (``domain.dci``): registry search and the IBR's
"is this person enrolled". Same scopes, answers and audit as ``/v1/lookups``."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from pydantic import BaseModel, ConfigDict, Field

from services.exchange.api.deps import department
from services.exchange.domain import dci
from services.exchange.domain.answers import current_aid, enrolled_in
from services.exchange.domain.scopes import covers_programme
from services.exchange.service.lookups import look_up
from shared.auth import Principal
from shared.events.outbox import utcnow
from shared.web.deps import SessionDep

router = APIRouter(prefix="/dci", tags=["dci"])
Asker = Annotated[Principal, Depends(department("lookup"))]
VERSION = "1.0.0"
SENDER = "snx-exchange"
PROGRAMMES = {
    "dibao": "最低生活保障 (dibao)",
    "tekun": "特困人员救助供养 (tekun)",
    "linshi": "临时救助 (linshi)",
}


class SearchItem(BaseModel):
    model_config = ConfigDict(extra="allow")
    reference_id: str | int | None = None
    timestamp: str | None = None
    search_criteria: dict[str, Any] = Field(default_factory=dict)
    locale: str | None = None


class SearchMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    transaction_id: str | None = None
    purpose: str | None = None
    search_request: list[SearchItem] = Field(default_factory=list, max_length=100)


class SearchEnvelope(BaseModel):
    model_config = ConfigDict(extra="allow")
    signature: str | None = None
    header: dict[str, Any] = Field(default_factory=dict)
    message: SearchMessage


class EnrolledMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    transaction_id: str | None = None
    purpose: str | None = None
    search_criteria: dict[str, Any]


class EnrolledEnvelope(BaseModel):
    model_config = ConfigDict(extra="allow")
    signature: str | None = None
    header: dict[str, Any] = Field(default_factory=dict)
    message: EnrolledMessage


def _header(request_header: dict[str, Any], action: str, count: int) -> dict[str, Any]:
    return {
        "version": VERSION,
        "message_id": str(uuid.uuid4()),
        "message_ts": utcnow().isoformat(),
        "action": action,
        "status": "succ",
        "total_count": count,
        "completed_count": count,
        "sender_id": SENDER,
        "receiver_id": request_header.get("sender_id"),
        "is_msg_encrypted": False,
    }


def _purpose(criteria: dict[str, Any], fallback: str | None) -> str:
    authorize = criteria.get("authorize")
    if not isinstance(authorize, dict):
        authorize = {}
    return str(authorize.get("purpose") or fallback or "").strip()


@router.post("/registry/sync/search", summary="DCI synchronous search (Social Registry / IBR shape)")
def search(
    body: SearchEnvelope,
    request: Request,
    session: SessionDep,
    caller: Asker,
    end_user: Annotated[str | None, Header(alias="X-End-User", max_length=200)] = None,
) -> dict[str, Any]:
    items = body.message.search_request
    responses: list[dict[str, Any] | None] = [None] * len(items)
    asked: list[tuple[int, dict[str, str], str]] = []
    for k, item in enumerate(items):
        criteria = item.search_criteria
        try:
            purpose = _purpose(criteria, body.message.purpose)
            if not purpose:
                raise dci.Unanswerable(
                    "rjct.authorize.purpose", "search_criteria.authorize.purpose is required"
                )
            asked.append((k, dci.to_query(criteria), purpose))
        except dci.Unanswerable as why:
            responses[k] = _item(item, "rjct", [], code=why.code, message=str(why))
    for purpose in sorted({p for _, _, p in asked}):  # one audited lookup per purpose
        group = [(k, q) for k, q, p in asked if p == purpose]
        found = look_up(
            session, request.app.state.settings, caller, [q for _, q in group],
            purpose=purpose, end_user=end_user, endpoint="POST /dci/registry/sync/search",
            carries=dci.CARRIES,
        )  # fmt: skip
        for (k, _), (scoped, _) in zip(group, found, strict=True):
            records = [dci.reg_record(scoped, PROGRAMMES)] if scoped["found"] else []
            responses[k] = _item(items[k], "succ", records)
    return {
        "signature": None,
        "header": _header(body.header, "on-search", len(items)),
        "message": {
            "transaction_id": body.message.transaction_id,
            "correlation_id": str(uuid.uuid4()),
            "search_response": responses,
        },
    }


def _item(item: SearchItem, status: str, records: list[dict[str, Any]], **reason: str) -> dict[str, Any]:
    criteria = item.search_criteria
    out: dict[str, Any] = {
        "reference_id": str(item.reference_id if item.reference_id is not None else ""),
        "timestamp": utcnow().isoformat(),
        "status": status,
        "data": {
            "version": VERSION,
            "reg_type": criteria.get("reg_type"),
            "reg_record_type": criteria.get("reg_record_type"),
            "reg_records": records,
        },
        "pagination": {"page_size": len(records), "page_number": 1, "total_count": len(records)},
        "locale": item.locale or "zh",
    }
    if reason:
        out["status_reason_code"], out["status_reason_message"] = reason["code"], reason["message"]
    return out


@router.post("/ibr/sync/enrolled", summary="DCI IBR: is this person enrolled in this programme")
def enrolled(
    body: EnrolledEnvelope,
    request: Request,
    session: SessionDep,
    caller: Asker,
    end_user: Annotated[str | None, Header(alias="X-End-User", max_length=200)] = None,
) -> dict[str, Any]:
    criteria = body.message.search_criteria
    programme = str(criteria.get("programme_code") or "")
    answer = {
        "ack_status": "no",
        "timestamp": utcnow().isoformat(),
        "error": {},
        "correlation_id": str(uuid.uuid4()),
    }
    try:
        if not covers_programme(caller.scopes, programme):
            raise dci.Unanswerable("rjct.programme_code.invalid", f"no scope for programme {programme!r}")
        purpose = _purpose(criteria, body.message.purpose)
        if not purpose:
            raise dci.Unanswerable("rjct.authorize.purpose", "search_criteria.authorize.purpose is required")
        query = dci.to_query(criteria)
    except dci.Unanswerable as why:
        return {"message": {**answer, "ack_status": "ERR", "error": {"code": why.code, "message": str(why)}}}
    [(_, member)] = look_up(
        session, request.app.state.settings, caller, [query],
        purpose=purpose, end_user=end_user, endpoint="POST /dci/ibr/sync/enrolled",
        carries=frozenset(),  # yes or no only
    )  # fmt: skip
    on = enrolled_in(current_aid(member, caller.scopes), programme)
    return {"message": {**answer, "ack_status": "yes" if on else "no"}}
