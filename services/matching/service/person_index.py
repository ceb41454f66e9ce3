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
from services.matching.domain.roster_records import IDENTITY_FIELDS
from services.matching.engine.index import Candidate, PersonIndex
from services.matching.engine.model import FellegiSunter
from services.matching.engine.normalize import normalize
from shared.db import Database
from shared.events.outbox import utcnow
from shared.logs import get_logger

log = get_logger("snx.matching.index")
REFRESH_MARGIN = timedelta(seconds=5)
IDENTITY_COLUMNS = IDENTITY_FIELDS  # the standard record's identity fields, kept raw in mt_record.fields


def standard(record: Record) -> dict[str, Any]:
    """A stored record as a standard person record (identity fields only)."""
    return {"source": record.source, "record_id": record.record_id, **record.fields}


class IdentityIndex:
    def __init__(self, db: Database, model: FellegiSunter) -> None:
        self.db = db
        self.model = model
        self.lock = threading.RLock()  # held to read or change the loaded index
        self._load_lock = threading.Lock()  # one load at a time (a million records: seconds)
        self._index: PersonIndex | None = None
        self._since: datetime | None = None
        self._applied: dict[tuple[str, str], datetime] = {}  # recently applied: not again

    def invalidate(self) -> None:
        with self.lock:
            self._index = None

    def reload(self) -> None:
        """Build a fresh index from the database while the old one keeps answering, then swap."""
        fresh, since = self._build()
        with self.lock:
            self._index, self._since, self._applied = fresh, since, {}

    def current(self) -> PersonIndex:
        """The index, loaded on first use. It never refreshes here: a request holding a database
        connection must never wait for another one (``refresh`` runs on the worker and the resolver,
        which hold none). Callers that read or change it hold ``lock``."""
        with self.lock:
            return self._loaded()

    def _loaded(self) -> PersonIndex:
        index = self._index
        if index is None:
            with self._load_lock:  # never takes ``lock`` inside: the worker loads while checks wait
                if self._index is None:
                    fresh, since = self._build()
                    self._since, self._index = since, fresh
                index = self._index
        assert index is not None
        return index

    def query(self, record: dict[str, Any], limit: int = 10) -> list[Candidate]:
        with self.lock:
            return self.current().query(record, limit=limit)

    def refresh(self) -> int:
        """Apply the records changed since the last refresh (or load the index): the index worker
        calls it every second or so. Reads the database first, then takes the lock."""
        if self._index is None:
            self._loaded()
            return 0
        assert self._since is not None
        since = utcnow() - REFRESH_MARGIN
        with self.db.unit_of_work() as uow:
            changed = RecordRepository(uow.session).changed_since(self._since)
        self.apply(changed)
        with self.lock:
            self._since = since
            self._applied = {ref: at for ref, at in self._applied.items() if at >= since}
        return 0  # the worker waits its interval between refreshes

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

    def apply(self, records: Iterable[Record], *, indexed: bool = False) -> None:
        """Put committed records in their current state into the index (if it is loaded).
        ``indexed``: the caller has put them in already; only note them, so that the next refresh
        does not add them again."""
        with self.lock:
            if self._index is None:
                return
            for r in records:
                ref = (r.source, r.record_id)
                at = r.updated_at if r.updated_at.tzinfo else r.updated_at.replace(tzinfo=UTC)  # SQLite
                if self._applied.get(ref) == at:
                    continue
                self._applied[ref] = at
                if indexed:
                    continue
                if r.active and r.person_id and not r.pending:
                    self._index.add(standard(r), r.person_id)
                else:
                    self._index.remove(r.source, r.record_id)
