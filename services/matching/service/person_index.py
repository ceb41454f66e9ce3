"""The process's in-memory person index, kept in step with the database.

The database is the truth; the engine's ``PersonIndex`` is a cache of its active, resolved
records, loaded in bulk the first time it is needed and refreshed from the records changed since
(``updated_at``, with a margin for transactions that committed late). Another replica's changes
arrive the same way. A failed transaction in this process drops the cache (``invalidate``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl

from services.matching.adapters.orm import Record
from services.matching.adapters.repository import RecordRepository
from services.matching.engine.index import Candidate, PersonIndex
from services.matching.engine.model import FellegiSunter
from services.matching.engine.normalize import normalize
from shared.db import Database
from shared.events.outbox import utcnow
from shared.logs import get_logger

log = get_logger("snx.matching.index")
REFRESH_MARGIN = timedelta(seconds=5)
IDENTITY_COLUMNS = ("id_type", "id_number", "name", "sex", "birth_date", "division_code", "address")


def standard(record: Record) -> dict[str, Any]:
    """A stored record as a standard person record (identity fields only)."""
    return {"source": record.source, "record_id": record.record_id, **record.fields}


class IdentityIndex:
    def __init__(self, db: Database, model: FellegiSunter, *, refresh_seconds: float = 1.0) -> None:
        self.db = db
        self.model = model
        self.refresh_seconds = refresh_seconds
        self.lock = threading.RLock()
        self._index: PersonIndex | None = None
        self._since: datetime | None = None
        self._checked = 0.0
        self._applied: dict[tuple[str, str], datetime] = {}  # recently applied: not again

    def invalidate(self) -> None:
        with self.lock:
            self._index = None

    def reload(self) -> None:
        """Build a fresh index from the database while the old one keeps answering, then swap."""
        fresh, since = self._build()
        with self.lock:
            self._index, self._since, self._checked, self._applied = fresh, since, time.monotonic(), {}

    def current(self, *, refresh: bool = True) -> PersonIndex:
        """The index, loaded if need be and refreshed at most every ``refresh_seconds``. Callers
        that read or change it hold ``lock`` (the resolver changes it while checks read it)."""
        with self.lock:
            if self._index is None:
                self._index, self._since = self._build()
                self._checked = time.monotonic()
            elif refresh and time.monotonic() - self._checked >= self.refresh_seconds:
                self._refresh()
            assert self._index is not None
            return self._index

    def query(self, record: dict[str, Any], limit: int = 10) -> list[Candidate]:
        with self.lock:
            return self.current().query(record, limit=limit)

    def _build(self) -> tuple[PersonIndex, datetime]:
        started = time.perf_counter()
        since = utcnow() - REFRESH_MARGIN
        columns: dict[str, list[Any]] = {c: [] for c in ("source", "record_id", *IDENTITY_COLUMNS)}
        persons: list[str] = []
        with self.db.unit_of_work() as uow:
            for source, record_id, person_id, fields in RecordRepository(uow.session).resolved_identities():
                columns["source"].append(source)
                columns["record_id"].append(record_id)
                for c in IDENTITY_COLUMNS:
                    columns[c].append(fields.get(c))
                persons.append(person_id)
        index = PersonIndex(self.model)
        if persons:
            frame = normalize(pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.String)))
            index.load(frame, persons)
        log.info("index.loaded", records=len(persons), seconds=round(time.perf_counter() - started, 2))
        return index, since

    def _refresh(self) -> None:
        assert self._index is not None and self._since is not None
        since = utcnow() - REFRESH_MARGIN
        with self.db.unit_of_work() as uow:
            changed = RecordRepository(uow.session).changed_since(self._since)
        self.apply(changed)
        self._since, self._checked = since, time.monotonic()
        self._applied = {ref: at for ref, at in self._applied.items() if at >= since}

    def apply(self, records: Iterable[Record]) -> None:
        """Put committed records in their current state into the index (if it is loaded)."""
        with self.lock:
            if self._index is None:
                return
            for r in records:
                ref = (r.source, r.record_id)
                at = r.updated_at if r.updated_at.tzinfo else r.updated_at.replace(tzinfo=UTC)  # SQLite
                if self._applied.get(ref) == at:
                    continue
                self._applied[ref] = at
                if r.active and r.person_id and not r.pending:
                    self._index.add(standard(r), r.person_id)
                else:
                    self._index.remove(r.source, r.record_id)
