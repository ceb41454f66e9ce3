"""Roster ingest: a source's full snapshot or a set of changes, streamed in chunks of lines.

Each chunk is applied in its own transaction, so memory stays flat whatever the file's size and
what was applied survives a broken upload. Records are compared with what is stored by a hash of
their content: re-sending the same snapshot or change set changes nothing. A snapshot ends, when it
is complete and only then, the source's active records it did not carry.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import orjson

from services.matching.adapters.orm import RosterUpload
from services.matching.adapters.repository import (
    RecordRepository,
    UploadRepository,
    plan_each_query,
    refresh_statistics,
)
from services.matching.domain.roster_records import NOT_OBJECT, Problem, parse_record, problem
from shared.db import Database
from shared.errors import BadRequest, NotFound
from shared.events.outbox import utcnow
from shared.i18n import Text
from shared.logs import get_logger

log = get_logger("snx.matching.rosters")
Mode = Literal["snapshot", "changes"]
SOURCE_CODE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
RESERVED_SOURCES = frozenset({"intake"})  # intake's records arrive by its feed
CHUNK_LINES = 2_000
ANALYZE_AT = frozenset(4**k for k in range(8))  # chunks 1, 4, 16 … 16384: statistics keep up


def check_source(source: str) -> None:
    if not SOURCE_CODE.match(source) or len(source) > 64:
        raise BadRequest(
            Text(
                "source must be a roster code such as mca.dibao (lower case, dotted)",
                "source 应为名册代码，如 mca.dibao（小写，以点分隔）",
            )
        )
    if source.split(".")[0] in RESERVED_SOURCES:
        raise BadRequest(Text(f"{source} is not a roster that can be uploaded", f"{source} 不可作为名册上传"))


def upsert(repo: RecordRepository, rows: list[dict[str, Any]], now: datetime) -> tuple[int, int, int]:
    """Insert new records, update changed ones, leave equal ones: (inserted, updated, unchanged).
    ``rows`` are of one source, each record id once.

    A record whose identity fields changed (or that is new) is marked ``pending`` for the
    resolver; a change of aid only keeps its person.
    """
    if not rows:
        return 0, 0, 0
    source = rows[0]["source"]
    stored = repo.existing(source, [r["record_id"] for r in rows])
    inserts, updates, unchanged = [], [], 0
    for row in rows:
        old = stored.get(row["record_id"])
        if old is None:
            inserts.append({**row, "active": True, "pending": True, "person_id": None, "updated_at": now})
        elif old.content_hash == row["content_hash"] and old.active:
            unchanged += 1
        else:
            pending = old.pending or old.fields != row["fields"]
            updates.append({**row, "pk": old.pk, "active": True, "pending": pending, "updated_at": now})
    repo.insert(inserts)
    repo.update(updates)
    return len(inserts), len(updates), unchanged


@dataclass
class LineResult:
    line: int
    record_id: str | None
    problems: list[Problem]


@dataclass
class Counts:
    received: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    rejected: int = 0


def _decode(raw: bytes) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None


def _change(obj: Any) -> tuple[str, Any, list[Problem]]:
    """A change line: ``{"op": "upsert", "record": {…}}`` or ``{"op": "delete", "record_id": …}``."""
    if not isinstance(obj, dict):
        return "", None, [NOT_OBJECT]
    op = obj.get("op")
    if op == "upsert":
        return op, obj.get("record"), []
    if op == "delete":
        rid = obj.get("record_id")
        if isinstance(rid, str | int) and not isinstance(rid, bool) and str(rid).strip():
            return op, str(rid).strip(), []
        return op, None, [problem("record_id", "required", "record_id is required", "缺少 record_id")]
    return "", None, [problem("op", "bad_op", "op must be upsert or delete", "op 应为 upsert 或 delete")]


class RosterIngest:
    """``start`` an upload, ``apply`` chunks of lines, ``finish`` it (or ``fail`` it)."""

    def __init__(self, db: Database, upload_id: str, source: str, mode: Mode) -> None:
        self.db = db
        self.upload_id = upload_id
        self.source = source
        self.mode = mode
        self.counts = Counts()
        self.line = 0
        self.chunks = 0

    @classmethod
    def start(cls, db: Database, source: str, mode: Mode, submitted_by: str) -> RosterIngest:
        check_source(source)
        upload_id = str(uuid.uuid4())
        with db.unit_of_work() as uow:
            UploadRepository(uow.session).add(
                RosterUpload(
                    id=upload_id,
                    source=source,
                    mode=mode,
                    status="running",
                    submitted_by=submitted_by,
                    received=0,
                    inserted=0,
                    updated=0,
                    unchanged=0,
                    deleted=0,
                    rejected=0,
                    started_at=utcnow(),
                )
            )
        log.info("roster.upload_started", upload_id=upload_id, source=source, mode=mode)
        return cls(db, upload_id, source, mode)

    def apply(self, lines: Iterable[bytes]) -> None:
        """One chunk of raw NDJSON lines, in one transaction (blank lines are skipped)."""
        now = utcnow()
        rows: list[dict[str, Any]] = []
        deletes: list[tuple[int, str]] = []
        rejected: list[LineResult] = []
        for raw in lines:
            self.line += 1
            if not raw.strip():
                continue
            self.counts.received += 1
            obj = _decode(raw)
            if self.mode == "changes":
                op, obj, problems = _change(obj)
                if op == "delete" and not problems:
                    deletes.append((self.line, obj))
                    continue
            else:
                problems = []
            row, more = parse_record(obj, self.source) if not problems else (None, [])
            problems += more
            if row is None:
                rid = obj.get("record_id") if isinstance(obj, dict) else None
                rejected.append(LineResult(self.line, str(rid)[:128] if rid is not None else None, problems))
            else:
                row["_line"] = self.line
                rows.append(row)
        self.chunks += 1
        with self.db.unit_of_work() as uow:
            plan_each_query(uow.session)
            if self.chunks in ANALYZE_AT:
                refresh_statistics(uow.session)
            uploads = UploadRepository(uow.session)
            ended: list[str] = []
            if self.mode == "snapshot":
                rows = self._first_occurrences(uploads, rows, rejected)
            else:
                rows, ended = _last_change(rows, deletes)
            for row in rows:
                del row["_line"]
            records = RecordRepository(uow.session)
            inserted, updated, unchanged = upsert(records, rows, now)
            self.counts.inserted += inserted
            self.counts.updated += updated
            self.counts.unchanged += unchanged
            self.counts.deleted += records.end(self.source, ended, now)
            self.counts.rejected += len(rejected)
            uploads.reject(
                [
                    {
                        "upload_id": self.upload_id,
                        "line": r.line,
                        "record_id": r.record_id,
                        "field": p.field,
                        "code": p.code,
                        "message_en": p.message.en,
                        "message_zh": p.message.zh,
                    }
                    for r in rejected
                    for p in r.problems
                ]
            )
            self._save_counts(uploads)

    def _first_occurrences(
        self, uploads: UploadRepository, rows: list[dict[str, Any]], rejected: list[LineResult]
    ) -> list[dict[str, Any]]:
        """A record id twice in one snapshot: the first stands, later lines are refused."""
        already = uploads.seen(self.upload_id, [r["record_id"] for r in rows])
        keep, fresh = [], []
        for row in rows:
            if row["record_id"] in already:
                duplicate = problem(
                    "record_id",
                    "duplicate",
                    "record_id appears earlier in this snapshot",
                    "record_id 在本次名册中已出现",
                )
                rejected.append(LineResult(row["_line"], row["record_id"], [duplicate]))
                continue
            already.add(row["record_id"])
            keep.append(row)
            fresh.append(row["record_id"])
        uploads.mark_seen(self.upload_id, fresh)
        return keep

    def _save_counts(self, uploads: UploadRepository, **extra: Any) -> RosterUpload:
        upload = uploads.get(self.upload_id)
        assert upload is not None
        for name in ("received", "inserted", "updated", "unchanged", "deleted", "rejected"):
            setattr(upload, name, getattr(self.counts, name))
        for name, value in extra.items():
            setattr(upload, name, value)
        return upload

    def finish(self) -> None:
        kept = self.counts.inserted + self.counts.updated + self.counts.unchanged
        if self.mode == "snapshot" and kept == 0:  # empty, or every line rejected: not a roster
            self.fail("a snapshot without one valid record ends nothing (to end records, send changes)")
            return
        now = utcnow()
        with self.db.unit_of_work() as uow:
            uploads = UploadRepository(uow.session)
            if self.mode == "snapshot":
                self.counts.deleted += RecordRepository(uow.session).end_absent(
                    self.source, self.upload_id, now
                )
                uploads.clear_seen(self.upload_id)
            self._save_counts(uploads, status="done", finished_at=now)
        log.info(
            "roster.upload_done",
            upload_id=self.upload_id,
            source=self.source,
            received=self.counts.received,
            inserted=self.counts.inserted,
            updated=self.counts.updated,
            ended=self.counts.deleted,
            rejected=self.counts.rejected,
        )

    def fail(self, reason: str) -> None:
        """A broken upload: what was applied stays; a snapshot ends nothing."""
        with self.db.unit_of_work() as uow:
            uploads = UploadRepository(uow.session)
            uploads.clear_seen(self.upload_id)
            self._save_counts(uploads, status="failed", failure=reason[:2000], finished_at=utcnow())
        log.warning("roster.upload_failed", upload_id=self.upload_id, source=self.source, reason=reason[:200])


def _last_change(
    rows: list[dict[str, Any]], deletes: list[tuple[int, str]]
) -> tuple[list[dict[str, Any]], list[str]]:
    """Changes to one record in one chunk: the last line wins, as if applied one by one."""
    last: dict[str, tuple[int, dict[str, Any] | None]] = {}
    for row in rows:
        last[row["record_id"]] = (row["_line"], row)  # rows come in line order
    for line, rid in deletes:
        if line > last.get(rid, (0, None))[0]:
            last[rid] = (line, None)
    kept = [row for _, row in last.values() if row is not None]
    return kept, [rid for rid, (_, row) in last.items() if row is None]


class LineChunker:
    """Chunks of ``size`` whole lines from blocks of bytes as they arrive (sync or async)."""

    def __init__(self, size: int = CHUNK_LINES) -> None:
        self.size = size
        self._rest = b""
        self._lines: list[bytes] = []

    def feed(self, block: bytes) -> Iterator[list[bytes]]:
        *lines, self._rest = (self._rest + block).split(b"\n")
        self._lines += lines
        while len(self._lines) >= self.size:
            yield self._lines[: self.size]
            self._lines = self._lines[self.size :]

    def close(self) -> Iterator[list[bytes]]:
        if self._rest:
            self._lines.append(self._rest)
            self._rest = b""
        if self._lines:
            yield self._lines
            self._lines = []


def upload_status(db: Database, upload_id: str, *, limit: int = 1000, after_line: int = 0) -> dict[str, Any]:
    with db.unit_of_work() as uow:
        uploads = UploadRepository(uow.session)
        upload = uploads.get(upload_id)
        if upload is None:
            raise NotFound(Text("No such roster upload.", "未找到该名册上传。"))
        rejections = uploads.rejections(upload_id, limit, after_line)
        return {
            "id": upload.id,
            "source": upload.source,
            "mode": upload.mode,
            "status": upload.status,
            "received": upload.received,
            "inserted": upload.inserted,
            "updated": upload.updated,
            "unchanged": upload.unchanged,
            "ended": upload.deleted,
            "rejected": upload.rejected,
            "failure": upload.failure,
            "started_at": upload.started_at,
            "finished_at": upload.finished_at,
            "rejections": [
                {
                    "line": r.line,
                    "record_id": r.record_id,
                    "field": r.field,
                    "code": r.code,
                    "message": {"en": r.message_en, "zh": r.message_zh},
                }
                for r in rejections
            ],
        }
