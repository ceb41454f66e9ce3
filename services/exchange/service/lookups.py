"""A lookup: matching finds each person, the answer carries what the caller's scopes allow, and
each read is audited in the caller's transaction (no audit, no answer). Shared by ``/v1/lookups``
and the DCI endpoints."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.orm import Session

from services.exchange.adapters.matching import MatchingChecks, MatchingContacts, MatchingFindings
from services.exchange.config import ExchangeSettings
from services.exchange.domain.answers import answer
from services.exchange.domain.scopes import FIELD_GROUPS, field_groups, without_groups
from services.exchange.service.audit import Read, query_pseudonym, record_reads
from services.exchange.service.rosters import caller_client
from shared.auth import Principal
from shared.errors import ServiceUnavailable
from shared.i18n import Text

UNAVAILABLE = Text("Matching cannot answer now.", "比对服务暂时无法应答。")


def look_up(
    session: Session,
    settings: ExchangeSettings,
    caller: Principal,
    queries: list[dict[str, Any]],
    *,
    purpose: str,
    end_user: str | None,
    endpoint: str,
    carries: frozenset[str] = frozenset(FIELD_GROUPS),
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(the scoped answer, matching's member result) for each query, in order. ``carries``: the
    field groups the endpoint's response can hold — only those are read and audited."""
    client = caller_client(session, caller)
    scopes = without_groups(caller.scopes, frozenset(FIELD_GROUPS) - carries)
    checks = MatchingChecks(settings)
    try:
        found = checks.members(queries)
    except httpx.HTTPError as exc:
        raise ServiceUnavailable(UNAVAILABLE) from exc
    finally:
        checks.close()
    key = settings.jwt_secret.get_secret_value()
    persons = sorted({m["person_id"] for member in found for m in member["matches"] if m["linked"]})
    about = _findings(settings, scopes, persons)
    reach = _contacts(settings, scopes, persons)
    out, reads = [], []
    for i, (q, member) in enumerate(zip(queries, found, strict=True)):
        person = next((m["person_id"] for m in member["matches"] if m["linked"]), None)
        scoped, carried = answer(i, member, scopes, about.get(person or "", []), reach.get(person or ""))
        out.append((scoped, member))
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


def _findings(
    settings: ExchangeSettings, scopes: frozenset[str], persons: list[str]
) -> dict[str, list[dict[str, Any]]]:
    """The findings about each person found — only for callers with ``fields:findings``."""
    if "findings" not in field_groups(scopes):
        return {}
    client = MatchingFindings(settings)
    try:
        return {p: client.of_person(p) for p in persons}
    except httpx.HTTPError as exc:
        raise ServiceUnavailable(UNAVAILABLE) from exc
    finally:
        client.close()


def _contacts(
    settings: ExchangeSettings, scopes: frozenset[str], persons: list[str]
) -> dict[str, dict[str, Any]]:
    """How to reach each person found — only for callers with ``fields:contact``."""
    if "contact" not in field_groups(scopes):
        return {}
    client = MatchingContacts(settings)
    try:
        return client.of_persons(persons)
    except httpx.HTTPError as exc:
        raise ServiceUnavailable(UNAVAILABLE) from exc
    finally:
        client.close()
