"""Alembic, one history per service: each service's ``migrations/`` folder and version table.

``snx migrate``, ``snx run`` and the test suite build every database by running these
migrations, never ``create_all``.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData, create_engine, text
from sqlalchemy.engine import URL

from shared.db import make_engine, normalize_url


def version_table(service: str) -> str:
    return f"alembic_version_{service}"


def script_location(service: str) -> Path:
    module = importlib.import_module(f"services.{service}")
    assert module.__file__ is not None
    return Path(module.__file__).parent / "migrations"


def alembic_config(service: str, url: str | URL) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location(service)))
    rendered = normalize_url(url).render_as_string(hide_password=False)
    cfg.set_main_option("sqlalchemy.url", rendered.replace("%", "%%"))
    cfg.attributes["service"] = service
    cfg.attributes["configure_logger"] = False
    return cfg


def ensure_database(url: str | URL) -> None:
    """Create the PostgreSQL database named in ``url`` if it does not exist (SQLite files create
    themselves)."""
    u = normalize_url(url)
    if u.get_backend_name() != "postgresql" or not u.database:
        return
    admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": u.database}
            ).first()
            if not exists:
                conn.exec_driver_sql(f'CREATE DATABASE "{u.database}"')
    finally:
        admin.dispose()


def upgrade(service: str, url: str | URL, revision: str = "head") -> None:
    ensure_database(url)
    command.upgrade(alembic_config(service, url), revision)


def downgrade(service: str, url: str | URL, revision: str) -> None:
    command.downgrade(alembic_config(service, url), revision)


def head_revisions(service: str) -> set[str]:
    script = ScriptDirectory(str(script_location(service)))
    return set(script.get_heads())


def current_revisions(service: str, engine: Engine) -> set[str]:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"version_table": version_table(service)})
        return set(ctx.get_current_heads())


def at_head(service: str, engine: Engine) -> bool:
    return current_revisions(service, engine) == head_revisions(service)


def run_env(service: str, target_metadata: list[MetaData]) -> None:
    """Body of every service's ``migrations/env.py`` (online mode; offline SQL output too)."""
    from alembic import context

    url = context.config.get_main_option("sqlalchemy.url")
    assert url
    kwargs: dict[str, Any] = {
        "target_metadata": target_metadata,
        "version_table": version_table(service),
        "render_as_batch": normalize_url(url).get_backend_name() == "sqlite",
        "compare_type": True,
    }
    if context.is_offline_mode():
        context.configure(url=url, literal_binds=True, **kwargs)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context.configure(connection=connection, **kwargs)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()
