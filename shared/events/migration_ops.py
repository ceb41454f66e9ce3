"""Frozen migration steps for the event tables every service has.

Each service's first migration calls ``create_event_tables_v1``. Never edit a ``_v1`` function:
a later change to these tables is a new function, called by a new migration of each service.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shared.events.models import BigId


def create_event_tables_v1() -> None:
    op.create_table(
        "outbox_event",
        sa.Column("pos", BigId, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=True),
        sa.Column("type", sa.String(200), nullable=False),
        sa.Column("subject", sa.String(200), nullable=True),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("pos", name="pk_outbox_event"),
        sa.UniqueConstraint("id", name="uq_outbox_event_id"),
        sa.UniqueConstraint("seq", name="uq_outbox_event_seq"),
    )
    op.create_index(
        "ix_outbox_event_unsequenced",
        "outbox_event",
        ["pos"],
        postgresql_where=sa.text("seq IS NULL"),
        sqlite_where=sa.text("seq IS NULL"),
    )
    op.create_table(
        "consumer_cursor",
        sa.Column("feed", sa.String(100), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("applied_count", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("error_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("feed", name="pk_consumer_cursor"),
    )
    op.create_table(
        "inbox_event",
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("feed", sa.String(100), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("type", sa.String(200), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name="pk_inbox_event"),
    )


def drop_event_tables_v1() -> None:
    op.drop_table("inbox_event")
    op.drop_table("consumer_cursor")
    op.drop_index("ix_outbox_event_unsequenced", table_name="outbox_event")
    op.drop_table("outbox_event")
