"""intake's feed → the person index: each application's members are records of source ``intake``.

A member of application A at position n is the record ``intake`` / ``A/n``: ``applying`` from
submission, ``active`` (or ``paid`` for one-off aid) once assistance starts, ended when the
application is denied, withdrawn or exited or the assistance stops. Handlers run inside the
consumer's transaction with its inbox row, so each event takes effect once, and a restart of either
side resumes from the stored cursor (``shared.events.consumer``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from services.matching.adapters.repository import RecordRepository
from services.matching.domain.roster_records import parse_record
from services.matching.service.rosters import upsert
from shared.events.consumer import Handler
from shared.events.outbox import utcnow
from shared.logs import get_logger

log = get_logger("snx.matching.intake")
SOURCE = "intake"
PREFIX = "cn.snx.intake"
ENDING_STATUSES = frozenset({"denied", "withdrawn", "exited"})


def _member_records(
    data: dict[str, Any], status: str, review_date: str | None = None, **aid: Any
) -> list[dict[str, Any]]:
    rows = []
    for m in data.get("members", []):
        record = {
            "record_id": f"{data['application_id']}/{m['position']}",
            "name": m["name"],
            "id_number": m.get("id_number"),
            "sex": m.get("sex"),
            "birth_date": m.get("birth_date"),
            "division_code": data.get("division_code"),
            "household_ref": data.get("household_id"),
            "programme": data["programme"],
            "status": status,
            "attributes": {
                k: v
                for k, v in {
                    "application_id": data["application_id"],
                    "relationship": m.get("relationship"),
                    "disability_category": m.get("disability_category"),
                    "disability_grade": m.get("disability_grade"),
                    "residence_division_code": data.get("residence_division_code"),
                    "review_date": review_date,  # 动态复核: when the aid is next reviewed
                }.items()
                if v is not None
            },
            **aid,
        }
        row, problems = parse_record(record, SOURCE)
        if row is None:  # intake validated it; a failure here is a contract change, not data
            raise ValueError(f"intake record refused: {[p.code for p in problems]}")
        rows.append(row)
    return rows


def _store(session: Session, rows: list[dict[str, Any]]) -> None:
    upsert(RecordRepository(session), rows, utcnow())


def submitted(session: Session, event: dict[str, Any]) -> None:
    _store(session, _member_records(event["data"], "applying"))


def assistance_started(session: Session, event: dict[str, Any]) -> None:
    data = event["data"]
    started = data.get("effective_month") or data["on"]
    _store(
        session,
        _member_records(
            data,
            "paid" if data.get("one_off") else "active",
            data.get("next_review_on"),
            start_date=str(started)[:10] if len(str(started)) >= 10 else f"{started}-01",
            amount=data.get("amount"),
        ),
    )


def assistance_changed(session: Session, event: dict[str, Any]) -> None:
    data = event["data"]
    RecordRepository(session).set_application(
        SOURCE, data["application_id"], {"amount": data.get("amount")}, utcnow()
    )


def assistance_reviewed(session: Session, event: dict[str, Any]) -> None:
    """A periodic review kept the aid: the records carry the next review date."""
    data = event["data"]
    RecordRepository(session).set_attribute(
        SOURCE, data["application_id"], "review_date", data.get("next_review_on"), utcnow()
    )


def assistance_stopped(session: Session, event: dict[str, Any]) -> None:
    data = event["data"]
    values = {"status": "stopped", "end_date": date.fromisoformat(data["on"])}
    RecordRepository(session).set_application(SOURCE, data["application_id"], values, utcnow(), end=True)


def status_changed(session: Session, event: dict[str, Any]) -> None:
    data = event["data"]
    if data["to"] in ENDING_STATUSES:
        values = {"status": data["to"], "end_date": date.fromisoformat(data["on"])}
        RecordRepository(session).set_application(SOURCE, data["application_id"], values, utcnow(), end=True)


HANDLERS: dict[str, Handler] = {
    f"{PREFIX}.application.submitted": submitted,
    f"{PREFIX}.application.status_changed": status_changed,
    f"{PREFIX}.assistance.started": assistance_started,
    f"{PREFIX}.assistance.changed": assistance_changed,
    f"{PREFIX}.assistance.stopped": assistance_stopped,
    f"{PREFIX}.assistance.reviewed": assistance_reviewed,
}
