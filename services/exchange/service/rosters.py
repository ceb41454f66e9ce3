"""Roster publication: a department's client publishes only its own sources; each upload is
recorded with what matching made of it."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from services.exchange.adapters.orm import Client, RosterUpload
from services.exchange.adapters.repository import ClientRepository, UploadRepository
from services.exchange.service.clients import CLIENT_PREFIX
from shared.auth import Principal
from shared.errors import Forbidden, NotFound
from shared.events.outbox import utcnow
from shared.i18n import Text

COUNTS = ("received", "inserted", "updated", "unchanged", "ended", "rejected")


def caller_client(session: Session, caller: Principal) -> Client:
    client_id = caller.subject.removeprefix(CLIENT_PREFIX) if caller.subject.startswith(CLIENT_PREFIX) else ""
    client = ClientRepository(session).get(client_id) if client_id else None
    if client is None or not client.active:
        raise Forbidden(Text("Only an active department client may do this.", "仅限有效的部门客户端。"))
    return client


def start(session: Session, caller: Principal, source: str, mode: str, fmt: str) -> str:
    client = caller_client(session, caller)
    if source not in client.sources:
        raise Forbidden(
            Text(
                f"This client does not publish {source}; it may: {', '.join(client.sources) or 'none'}.",
                f"该客户端无权发布 {source}；可发布：{'、'.join(client.sources) or '无'}。",
            )
        )
    upload = RosterUpload(
        id=str(uuid.uuid4()),
        client_id=client.client_id,
        department_code=client.department_code,
        source=source,
        mode=mode,
        format=fmt,
        status="running",
        started_at=utcnow(),
    )
    UploadRepository(session).add(upload)
    return upload.id


def finish(session: Session, upload_id: str, answer: dict[str, Any]) -> RosterUpload:
    upload = _get(session, upload_id)
    upload.status = "done" if answer.get("status") == "done" else "failed"
    upload.matching_upload_id = answer.get("id")
    upload.counts = {k: int(answer.get(k) or 0) for k in COUNTS}
    upload.failure = answer.get("failure")
    upload.finished_at = utcnow()
    return upload


def fail(session: Session, upload_id: str, reason: str) -> None:
    upload = _get(session, upload_id)
    upload.status, upload.failure, upload.finished_at = "failed", reason[:400], utcnow()


def visible(session: Session, caller: Principal, upload_id: str) -> RosterUpload:
    """An upload of the caller's own department (another's is not found, not forbidden)."""
    client = caller_client(session, caller)
    upload = UploadRepository(session).get(upload_id)
    if upload is None or upload.department_code != client.department_code:
        raise NotFound(Text("No such upload.", "没有该上传记录。"))
    return upload


def _get(session: Session, upload_id: str) -> RosterUpload:
    upload = UploadRepository(session).get(upload_id)
    assert upload is not None, upload_id
    return upload
