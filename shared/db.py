"""Database access: one engine per service, sessions, and the unit of work that commits.

SQLite (the embedded default) runs in WAL mode with foreign keys on; every transaction starts with
``BEGIN IMMEDIATE`` so that two writers queue on the busy timeout instead of failing on a lock
upgrade. PostgreSQL goes through psycopg 3. Service code never commits: it flushes, and the unit
of work commits once, on success, or rolls everything back.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from types import TracebackType
from typing import Any

import orjson
from psycopg.types.json import Json
from sqlalchemy import JSON, Engine, Insert, Table, create_engine, event, insert, make_url
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 30_000


def normalize_url(url: str | URL) -> URL:
    """``postgresql://`` → ``postgresql+psycopg://``; relative SQLite paths stay relative."""
    u = make_url(url)
    if u.drivername in ("postgresql", "postgres"):
        u = u.set(drivername="postgresql+psycopg")
    return u


def is_sqlite(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_on_connect(dbapi_connection: Any, _: Any) -> None:
    # Let SQLAlchemy, not the driver, emit BEGIN (the pysqlite recipe of SQLAlchemy's docs).
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_on_begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str | URL, **kwargs: Any) -> Engine:
    u = normalize_url(url)
    kwargs.setdefault("json_deserializer", orjson.loads)  # JSON columns read several times faster
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            u, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs
        )
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    kwargs.setdefault("pool_pre_ping", False)
    kwargs.setdefault("pool_recycle", 1800)
    # A steady pool: overflow connections are closed when returned, and a PostgreSQL backend
    # forked and torn down per request costs more than the request (seen in bench/intake_submit.py).
    kwargs.setdefault("pool_size", 4)
    kwargs.setdefault("max_overflow", 0)
    return create_engine(u, **kwargs)


@lru_cache(maxsize=64)
def _insert_into(table: Table) -> Insert:
    return insert(table)


def insert_rows(session: Session, model: type[Any], rows: list[dict[str, Any]]) -> None:
    """A plain multi-row INSERT of ``rows`` into ``model``'s table, in the session's transaction.

    For hot and bulk paths: it skips the ORM's unit of work and bulk machinery (several times the
    CPU per row), and reuses one statement per table so its cache key is computed once.
    """
    if rows:
        session.connection().execute(_insert_into(model.__table__), rows)


def insert_batches(session: Session, batches: list[tuple[type[Any], list[dict[str, Any]]]]) -> None:
    """Several ``insert_rows`` in order. On PostgreSQL they go out in one psycopg pipeline: one
    round trip for all of them instead of one each, and none of SQLAlchemy's per-statement work
    (the submission's hot path: quality bar S1). Every row of a batch has the same keys."""
    batches = [(model, rows) for model, rows in batches if rows]
    if session.get_bind().dialect.name != "postgresql":
        for model, rows in batches:
            insert_rows(session, model, rows)
        return
    raw = session.connection().connection.driver_connection
    assert raw is not None
    with raw.pipeline(), raw.cursor() as cur:
        for model, rows in batches:
            sql, json_columns = _pg_insert(model.__table__, tuple(rows[0]))
            if json_columns:
                rows = [{**r, **{c: Json(r[c]) for c in json_columns if r[c] is not None}} for r in rows]
            if len(rows) == 1:
                cur.execute(sql, rows[0])
            else:
                cur.executemany(sql, rows)


@lru_cache(maxsize=128)
def _pg_insert(table: Table, keys: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    names = ", ".join(f'"{k}"' for k in keys)
    values = ", ".join(f"%({k})s" for k in keys)
    json_columns = tuple(k for k in keys if isinstance(table.c[k].type, JSON))
    return f'INSERT INTO "{table.name}" ({names}) VALUES ({values})', json_columns


class UnitOfWork:
    """One transaction. ``with db.unit_of_work() as uow:`` commits on a clean exit, rolls back on
    an exception. The only place in the code base that calls ``commit()``."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._factory = session_factory
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("unit of work used outside its 'with' block")
        return self._session

    def __enter__(self) -> UnitOfWork:
        self._session = self._factory()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        session = self.session
        try:
            if exc_type is None:
                session.commit()
            else:
                session.rollback()
        finally:
            session.close()
            self._session = None


class Database:
    """A service's database: its engine and session factory."""

    def __init__(self, url: str | URL, **engine_kwargs: Any) -> None:
        self.url = normalize_url(url)
        if self.url.get_backend_name() == "sqlite":
            engine_kwargs = {k: v for k, v in engine_kwargs.items() if k not in ("pool_size", "max_overflow")}
        self.engine = make_engine(self.url, **engine_kwargs)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.sessions)

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")

    def dispose(self) -> None:
        self.engine.dispose()
