"""The process's in-memory person index, kept in step with the database.

The database is the truth; the engine's ``PersonIndex`` is a cache of its active, resolved
records, and the ``FactStore`` beside it a cache of every active record's aid, both loaded in bulk
at start by the index worker (or when first needed) and refreshed together from the records changed since
(``updated_at``, with a margin for transactions that committed late). Another replica's changes
arrive the same way. A failed transaction in this process drops the cache (``invalidate``).
A real-time check reads both under ``lock`` and never touches the database.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl

from services.matching.adapters.orm import Record
from services.matching.adapters.repository import RecordRepository
from services.matching.domain.fact_store import ROW_COLUMNS, FactStore, Row
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


@contextmanager
def _long_lived() -> Iterator[None]:
    """For making millions of objects that live as long as the process: no collector passes
    while they are made (each would walk all made before it), and afterwards they are frozen out
    of every later pass (else the first pass after would walk them all: seconds, in a request)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was:
            gc.enable()


class IdentityIndex:
    def __init__(self, db: Database, model: FellegiSunter) -> None:
        self.db = db
        self.model = model
        self.lock = threading.RLock()  # held to read or change the loaded index
        self._load_lock = threading.Lock()  # one load at a time (a million records: seconds)
        self._index: PersonIndex | None = None
        self._facts = FactStore()
        self._since: datetime | None = None
        self._applied: dict[tuple[str, str], datetime] = {}  # recently applied: not again

    def invalidate(self) -> None:
        with self.lock:
            self._index = None

    def reload(self) -> None:
        """Build a fresh index from the database while the old one keeps answering, then swap."""
        fresh, facts, since = self._build()
        with self.lock:
            self._index, self._facts, self._since, self._applied = fresh, facts, since, {}

    @property
    def loaded(self) -> bool:
        return self._index is not None

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
                    fresh, facts, since = self._build()
                    self._since, self._facts, self._index = since, facts, fresh
                index = self._index
        assert index is not None
        return index

    def facts(self) -> FactStore:
        """The current records' facts (loaded with the index); callers hold ``lock``."""
        with self.lock:
            self._loaded()
            return self._facts

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

    def _build(self) -> tuple[PersonIndex, FactStore, datetime]:
        started = time.perf_counter()
        since = utcnow() - REFRESH_MARGIN
        columns: dict[str, list[Any]] = {c: [] for c in ("source", "record_id", *IDENTITY_COLUMNS)}
        persons: list[str] = []
        facts = FactStore()
        index = PersonIndex(self.model)
        with _long_lived():
            with self.db.unit_of_work() as uow:
                for pending, fields, *values in RecordRepository(uow.session).current(ROW_COLUMNS):
                    row = Row(*values)
                    facts.put(row)
                    if row.person_id and not pending:  # resolved: in the index too
                        columns["source"].append(row.source)
                        columns["record_id"].append(row.record_id)
                        for c in IDENTITY_COLUMNS:
                            columns[c].append(fields.get(c))
                        persons.append(row.person_id)
            if persons:
                frame = normalize(pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.String)))
                index.load(frame, persons)
        seconds = round(time.perf_counter() - started, 2)
        log.info("index.loaded", records=len(persons), current=len(facts), seconds=seconds)
        return index, facts, since

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
                self._facts.put(Row(*(getattr(r, c) for c in ROW_COLUMNS)))
                if indexed:
                    continue
                if r.active and r.person_id and not r.pending:
                    self._index.add(standard(r), r.person_id)
                else:
                    self._index.remove(r.source, r.record_id)
