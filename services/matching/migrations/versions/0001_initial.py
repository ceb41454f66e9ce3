"""matching: event tables

Revision ID: matching_0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

from shared.events.migration_ops import create_event_tables_v1, drop_event_tables_v1

revision = "matching_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_event_tables_v1()


def downgrade() -> None:
    drop_event_tables_v1()
