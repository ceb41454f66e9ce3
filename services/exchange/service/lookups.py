"""A lookup: matching finds each person, the answer carries what the caller's scopes allow, and
each read is audited in the caller's transaction (no audit, no answer). Shared by ``/v1/lookups``
and the DCI endpoints."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.orm import Session

from services.exchange.adapters.matching import MatchingChecks
from services.exchange.config import ExchangeSettings
from services.exchange.domain.answers import answer
from services.exchange.service.audit import Read, query_pseudonym, record_reads
from services.exchange.service.rosters import caller_client
from shared.auth import Principal
from shared.errors import ServiceUnavailable
from shared.i18n import Text


def look_up(
    session: Session,
    settings: ExchangeSettings,
    caller: Principal,
    queries: list[dict[str, Any]],
    *,
    purpose: str,
    end_user: str | None,
    endpoint: str,
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(the scoped answer, matching's member result) for each query, in order."""
    client = caller_client(session, caller)
    checks = MatchingChecks(settings)
    try:
        found = checks.members(queries)
    except httpx.HTTPError as exc:
        raise ServiceUnavailable(Text("Matching cannot answer now.", "比对服务暂时无法应答。")) from exc
    finally:
        checks.close()
    key = settings.jwt_secret.get_secret_value()
    out, reads = [], []
    for i, (q, member) in enumerate(zip(queries, found, strict=True)):
        scoped, carried = answer(i, member, caller.scopes)
        out.append((scoped, member))
        person = next((m["person_id"] for m in member["matches"] if m["linked"]), None)
        asked = query_pseudonym(key, q.get("id_number"), q.get("name"), q.get("birth_date"))
        reads.append(Read(person or asked, tuple(carried)))
    record_reads(
        session,
        client_id=client.client_id,
        department_code=client.department_code,
        end_user=end_user,
        purpose=purpose,
        endpoint=endpoint,
        reads=reads,
    )  # committed with the request's unit of work, before the answer leaves: no audit, no answer
    return out
