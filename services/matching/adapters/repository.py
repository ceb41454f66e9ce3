"""SQL of the person index and the rosters. Flushes, never commits (the unit of work does)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Text, and_, cast, delete, exists, func, or_, select, text, update
from sqlalchemy.orm import Session

from services.matching.adapters.orm import (
    GreyPair,
    IdentityEvent,
    LinkDecision,
    Person,
    Record,
    RecordPair,
    Rejection,
    RosterUpload,
    SnapshotSeen,
)
from shared.db import insert_rows

Ref = tuple[str, str]  # (source, record_id)
IN_CHUNK = 1_000  # ids per IN (...) list
PAIR_CHUNK = 200  # (source, id) pairs per OR list: SQLite parses an OR chain as a tree 1,000 deep at most


def plan_each_query(session: Session) -> None:
    """On PostgreSQL, plan this transaction's statements with their actual parameters.

    psycopg prepares a statement it has run five times, and PostgreSQL may then keep a generic plan
    made while the table was small: during a bulk load, a seq scan per chunk that grows with the
    table (seen in bench/roster_ingest.py: 400 records/s instead of thousands)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


def refresh_statistics(session: Session) -> None:
    """``ANALYZE`` the tables a bulk load grows (PostgreSQL): plans made on the statistics of a
    small table scan the big one (seen: a lookup of 1,000 record ids reading all 1 M rows)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE mt_record, mt_snapshot_seen"))


def pair_is(model: type[RecordPair], a: Ref, b: Ref) -> ColumnElement[bool]:
    return and_(
        model.source_a == a[0], model.record_id_a == a[1], model.source_b == b[0], model.record_id_b == b[1]
    )


def chunks(items: Sequence[Any], size: int = IN_CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(frozen=True)
class Stored:
    pk: int
    content_hash: str
    active: bool
    pending: bool
    fields: dict[str, Any]


class RecordRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def existing(self, source: str, record_ids: Sequence[str]) -> dict[str, Stored]:
        out: dict[str, Stored] = {}
        cols = (
            Record.record_id,
            Record.pk,
            Record.content_hash,
            Record.active,
            Record.pending,
            Record.fields,
        )
        for part in chunks(record_ids):
            stmt = select(*cols).where(Record.source == source, Record.record_id.in_(part))
            for rid, pk, digest, active, pending, fields in self.session.execute(stmt):
                out[rid] = Stored(pk, digest, active, pending, fields)
        return out

    def insert(self, rows: list[dict[str, Any]]) -> None:
        insert_rows(self.session, Record, rows)

    def update(self, rows: list[dict[str, Any]]) -> None:
        """Rows with their ``pk`` and the columns to set (an executemany by primary key)."""
        if rows:
            self.session.execute(update(Record), rows)

    def flag_aid(self, pks: Sequence[int], receiving: bool) -> set[int]:
        """Set ``aid_published`` where it differs; the pks of the rows this call changed."""
        changed: set[int] = set()
        for part in chunks(pks):
            stmt = (
                update(Record)
                .where(
                    Record.pk.in_(part),
                    or_(Record.aid_published.is_(None), Record.aid_published.is_not(receiving)),
                )
                .values(aid_published=receiving)
                .returning(Record.pk)
                .execution_options(synchronize_session=False)
            )
            changed |= set(self.session.scalars(stmt))
        return changed

    def end(self, source: str, record_ids: Sequence[str], now: datetime) -> int:
        ended = 0
        for part in chunks(record_ids):
            result = self.session.execute(
                update(Record)
                .where(Record.source == source, Record.record_id.in_(part), Record.active.is_(True))
                .values(active=False, pending=False, updated_at=now)
            )
            ended += result.rowcount  # type: ignore[attr-defined]
        return ended

    def set_application(
        self, source: str, application_id: str, values: dict[str, Any], now: datetime, *, end: bool = False
    ) -> int:
        """Set ``values`` on the records of one application (``{application_id}/{position}``)."""
        extra = {"active": False, "pending": False} if end else {}
        result = self.session.execute(
            update(Record)
            .where(Record.source == source, Record.record_id.like(f"{application_id}/%"))
            .values(**values, **extra, content_hash="", updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    def set_attribute(self, source: str, application_id: str, key: str, value: Any, now: datetime) -> int:
        """Set one attribute on the records of one application (read and written back: JSON
        functions differ between SQLite and PostgreSQL)."""
        records = self.session.scalars(
            select(Record).where(Record.source == source, Record.record_id.like(f"{application_id}/%"))
        )
        changed = 0
        for r in records:
            r.attributes = {**(r.attributes or {}), key: value}
            r.content_hash, r.updated_at = "", now
            changed += 1
        return changed

    def end_absent(self, source: str, upload_id: str, now: datetime) -> int:
        """End the active records of ``source`` that the snapshot ``upload_id`` did not carry."""
        carried = exists().where(
            SnapshotSeen.upload_id == upload_id, SnapshotSeen.record_id == Record.record_id
        )
        result = self.session.execute(
            update(Record)
            .where(Record.source == source, Record.active.is_(True), ~carried)
            .values(active=False, pending=False, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    def by_refs(self, refs: Iterable[Ref]) -> list[Record]:
        refs = list(refs)
        out: list[Record] = []
        for part in chunks(refs, PAIR_CHUNK):
            cond = or_(*(and_(Record.source == s, Record.record_id == r) for s, r in part))
            out += self.session.scalars(select(Record).where(cond))
        return out

    def of_persons(self, person_ids: Sequence[str], *, active_only: bool = True) -> list[Record]:
        out: list[Record] = []
        for part in chunks(person_ids):
            stmt = select(Record).where(Record.person_id.in_(part))
            if active_only:
                stmt = stmt.where(Record.active.is_(True))
            out += self.session.scalars(stmt.order_by(Record.pk))
        return out

    def pending(self, limit: int) -> list[Record]:
        stmt = (
            select(Record)
            .where(Record.pending.is_(True), Record.active.is_(True))
            .order_by(Record.pk)
            .limit(limit)
            .with_for_update(skip_locked=True)  # replicas resolve different records (PostgreSQL)
        )
        return list(self.session.scalars(stmt))

    def count_pending(self) -> int:
        stmt = select(func.count()).where(Record.pending.is_(True), Record.active.is_(True))
        return int(self.session.scalar(stmt) or 0)

    def changed_since(self, since: datetime) -> list[Record]:
        return list(
            self.session.scalars(select(Record).where(Record.updated_at >= since).order_by(Record.pk))
        )

    def current(self, columns: Sequence[str]) -> Iterable[list[Any]]:
        """[pending, fields, *columns] of every active record, in pk order, streamed. The JSON
        columns are read as text and parsed here: SQLAlchemy's JSON processing costs several
        times the query at a million rows."""
        json = {"fields", "attributes"}
        wanted = ["pending", "fields", *columns]
        stmt = (
            select(*(cast(getattr(Record, c), Text) if c in json else getattr(Record, c) for c in wanted))
            .where(Record.active.is_(True))
            .order_by(Record.pk)
        )
        parse = [i for i, c in enumerate(wanted) if c in json]
        for row in self.session.execute(stmt).yield_per(50_000):
            values = list(row)
            for i in parse:
                values[i] = orjson.loads(values[i]) if values[i] is not None else None
            yield values

    def identities(self) -> Iterable[tuple[int, str, str, str | None, bool, dict[str, Any]]]:
        """(pk, source, record_id, person_id, pending, fields) of every active record, in pk order."""
        stmt = (
            select(
                Record.pk, Record.source, Record.record_id, Record.person_id, Record.pending, Record.fields
            )
            .where(Record.active.is_(True))
            .order_by(Record.pk)
        )
        for row in self.session.execute(stmt).yield_per(50_000):
            yield tuple(row)


class PersonRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, rows: list[dict[str, Any]]) -> None:
        insert_rows(self.session, Person, rows)

    def retire_empty(self, person_ids: Sequence[str], now: datetime, into: dict[str, str]) -> None:
        """Retire those of ``person_ids`` that no longer hold any record (merged away)."""
        for pid in person_ids:
            holds = self.session.scalar(select(Record.pk).where(Record.person_id == pid).limit(1))
            if holds is None:
                self.session.execute(
                    update(Person).where(Person.id == pid).values(retired_at=now, retired_into=into.get(pid))
                )

    def log(self, rows: list[dict[str, Any]]) -> None:
        insert_rows(self.session, IdentityEvent, rows)

    def history(self, person_id: str) -> list[IdentityEvent]:
        stmt = (
            select(IdentityEvent)
            .where(or_(IdentityEvent.person_id == person_id, IdentityEvent.other_person_id == person_id))
            .order_by(IdentityEvent.id)
        )
        return list(self.session.scalars(stmt))


class DecisionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def all(self) -> list[LinkDecision]:
        return list(self.session.scalars(select(LinkDecision).order_by(LinkDecision.id)))

    def touching(self, refs: Sequence[Ref]) -> list[LinkDecision]:
        found: dict[int, LinkDecision] = {}
        for part in chunks(list(refs), PAIR_CHUNK // 2):
            conds = []
            for s, r in part:
                conds.append(and_(LinkDecision.source_a == s, LinkDecision.record_id_a == r))
                conds.append(and_(LinkDecision.source_b == s, LinkDecision.record_id_b == r))
            for d in self.session.scalars(select(LinkDecision).where(or_(*conds))):
                found[d.id] = d
        return list(found.values())

    def get(self, a: Ref, b: Ref) -> LinkDecision | None:
        return self.session.scalar(select(LinkDecision).where(pair_is(LinkDecision, a, b)))


class GreyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def upsert(self, rows: list[dict[str, Any]], now: datetime) -> int:
        """Open new pairs; refresh the probability and evidence of pairs already open."""
        added = 0
        for row in rows:
            a, b = (row["source_a"], row["record_id_a"]), (row["source_b"], row["record_id_b"])
            found = self.session.scalar(select(GreyPair).where(pair_is(GreyPair, a, b)))
            if found is None:
                self.session.add(GreyPair(**row, status="open", created_at=now, updated_at=now))
                added += 1
            elif found.status == "open":
                found.probability, found.reason, found.evidence = (
                    row["probability"],
                    row["reason"],
                    row["evidence"],
                )
                found.updated_at = now
        self.session.flush()
        return added

    def close(self, a: Ref, b: Ref, now: datetime) -> None:
        self.session.execute(
            update(GreyPair).where(pair_is(GreyPair, a, b)).values(status="decided", updated_at=now)
        )

    def open_pairs(self, limit: int, offset: int = 0) -> list[GreyPair]:
        stmt = (
            select(GreyPair)
            .where(GreyPair.status == "open")
            .order_by(GreyPair.probability.desc(), GreyPair.id)
            .limit(limit)
            .offset(offset)
        )
        return list(self.session.scalars(stmt))


class UploadRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, upload_id: str) -> RosterUpload | None:
        return self.session.get(RosterUpload, upload_id)

    def add(self, upload: RosterUpload) -> None:
        self.session.add(upload)
        self.session.flush()

    def seen(self, upload_id: str, record_ids: Sequence[str]) -> set[str]:
        out: set[str] = set()
        for part in chunks(record_ids):
            stmt = select(SnapshotSeen.record_id).where(
                SnapshotSeen.upload_id == upload_id, SnapshotSeen.record_id.in_(part)
            )
            out.update(self.session.scalars(stmt))
        return out

    def mark_seen(self, upload_id: str, record_ids: Sequence[str]) -> None:
        insert_rows(
            self.session, SnapshotSeen, [{"upload_id": upload_id, "record_id": r} for r in record_ids]
        )

    def clear_seen(self, upload_id: str) -> None:
        self.session.execute(delete(SnapshotSeen).where(SnapshotSeen.upload_id == upload_id))

    def reject(self, rows: list[dict[str, Any]]) -> None:
        insert_rows(self.session, Rejection, rows)

    def rejections(self, upload_id: str, limit: int, after_line: int = 0) -> list[Rejection]:
        stmt = (
            select(Rejection)
            .where(Rejection.upload_id == upload_id, Rejection.line > after_line)
            .order_by(Rejection.line, Rejection.id)
            .limit(limit)
        )
        return list(self.session.scalars(stmt))
