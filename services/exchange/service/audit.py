"""The audit trail: one record per read of personal data, appended to the hash chain in the same
transaction as the read's own work, so a read whose audit cannot be written fails."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from services.exchange.adapters.orm import AuditRecord
from services.exchange.adapters.repository import AuditRepository
from services.exchange.domain.audit import Break, record_hash, verify
from shared.events.outbox import utcnow


@dataclass(frozen=True)
class Read:
    person: str  # matching's person id, or ``query_pseudonym`` of what was asked
    fields: tuple[str, ...]  # the field groups returned


def query_pseudonym(key: str, *parts: str | None) -> str:
    """A stable, non-reversible name for a person asked about but not found."""
    text = "\x1f".join(p or "" for p in parts)
    return "query:" + hmac.new(key.encode(), text.encode(), hashlib.sha256).hexdigest()[:32]


def record_reads(
    session: Session,
    *,
    client_id: str,
    department_code: str,
    end_user: str | None,
    purpose: str,
    endpoint: str,
    reads: Iterable[Read],
) -> list[AuditRecord]:
    reads = list(reads)
    if not reads:
        return []
    repo = AuditRepository(session)
    last, previous = repo.take_head(len(reads))
    at = utcnow().isoformat(timespec="microseconds")
    out = []
    for k, read in enumerate(reads, 1):
        content = {
            "seq": last + k,
            "at": at,
            "client_id": client_id,
            "department_code": department_code,
            "end_user": end_user,
            "purpose": purpose,
            "endpoint": endpoint,
            "person": read.person,
            "fields": sorted(read.fields),
        }
        digest = record_hash(previous, content)
        out.append(AuditRecord(**content, prev_hash=previous, hash=digest))
        previous = digest
    repo.append(out)
    return out


def verify_chain(session: Session) -> tuple[int, Break | None]:
    """(records checked, the first break or None). The head is read first; records a writer
    appends meanwhile are left for the next run."""
    repo = AuditRepository(session)
    head = repo.head()
    checked = 0

    def counted() -> Iterator[dict[str, Any]]:
        nonlocal checked
        for r in repo.stream(head[0] if head else None):
            checked += 1
            yield r

    found = verify(counted(), head)
    return checked, found
