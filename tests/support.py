"""Test support: throwaway databases on every backend the run covers, tokens, free ports."""

from __future__ import annotations

import os
import re
import socket
import uuid
from pathlib import Path

from sqlalchemy import create_engine, inspect, make_url, text

from shared.auth import mint_token
from shared.db import normalize_url
from shared.migrations import upgrade
from shared.settings import DEV_JWT_SECRET, audience_for

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def backends() -> list[str]:
    """SQLite always; PostgreSQL with CI=true or TEST_DATABASE_URL."""
    return ["sqlite", "postgresql"] if in_ci() or os.environ.get("TEST_DATABASE_URL") else ["sqlite"]


def pg_server_url() -> str:
    return os.environ.get("TEST_DATABASE_URL") or PG_DEFAULT


class Databases:
    """Creates migrated databases for a test run and drops the PostgreSQL ones at the end."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.run_id = uuid.uuid4().hex[:8]
        self.created_pg: list[str] = []
        self._migrated: dict[tuple[str, str], str] = {}

    def fresh_url(self, backend: str, service: str) -> str:
        """A new, empty, migrated database."""
        name = f"snx_test_{self.run_id}_{service}_{uuid.uuid4().hex[:8]}"
        if backend == "sqlite":
            url = f"sqlite:///{self.tmp / (name + '.db')}"
        else:
            url = normalize_url(pg_server_url()).set(database=name).render_as_string(hide_password=False)
            self.created_pg.append(name)
        upgrade(service, url)
        return url

    def shared_url(self, backend: str, service: str) -> str:
        """A migrated database reused across tests (emptied between them by ``reset``)."""
        key = (backend, service)
        if key not in self._migrated:
            self._migrated[key] = self.fresh_url(backend, service)
        return self._migrated[key]

    def drop_all(self) -> None:
        if not self.created_pg:
            return
        admin = create_engine(
            normalize_url(pg_server_url()).set(database="postgres"), isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as conn:
            for name in self.created_pg:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def reset(url: str) -> None:
    """Empty every table but the migration version tables."""
    engine = create_engine(normalize_url(url))
    try:
        tables = [t for t in inspect(engine).get_table_names() if not t.startswith("alembic_version")]
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                if tables:  # triggers off for this (a test's privilege): the audit trail refuses it
                    conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
                    conn.exec_driver_sql(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
            else:
                for table in tables:
                    conn.exec_driver_sql(f'DELETE FROM "{table}"')
                if conn.execute(text("SELECT 1 FROM sqlite_master WHERE name='sqlite_sequence'")).first():
                    conn.exec_driver_sql("DELETE FROM sqlite_sequence")
    finally:
        engine.dispose()


def pg_reachable() -> bool:
    try:
        engine = create_engine(normalize_url(pg_server_url()), connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


def token(
    service: str | list[str],
    *scopes: str,
    division: str | None = None,
    subject: str = "test:user",
    ttl: int = 600,
    secret: str = DEV_JWT_SECRET,
) -> str:
    services = [service] if isinstance(service, str) else service
    return mint_token(
        secret,
        subject=subject,
        audience=[audience_for(s) for s in services],
        scopes=scopes,
        division=division,
        ttl_seconds=ttl,
    )


def auth(
    service: str | list[str], *scopes: str, division: str | None = None, subject: str = "test:user"
) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(service, *scopes, division=division, subject=subject)}"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def redact_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


_ID_LIKE = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")


def id_numbers_in(text: str) -> list[str]:
    """R10: the resident ID numbers (18 characters that pass their check) found in ``text``."""
    from shared.codes.idnumber import is_valid_id18

    return sorted({m for m in _ID_LIKE.findall(text) if is_valid_id18(m.upper())})
