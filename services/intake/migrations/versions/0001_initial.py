"""intake: event tables and households

Revision ID: intake_0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shared.events.migration_ops import create_event_tables_v1, drop_event_tables_v1

revision = "intake_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_event_tables_v1()
    op.create_table(
        "household",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("division_code", sa.String(12), nullable=False),
        sa.Column("residence_division_code", sa.String(12), nullable=True),
        sa.Column("area_type", sa.String(10), nullable=False),
        sa.Column("address", sa.String(300), nullable=True),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_household"),
    )
    op.create_index("ix_household_division_code", "household", ["division_code"])


def downgrade() -> None:
    op.drop_index("ix_household_division_code", table_name="household")
    op.drop_table("household")
    drop_event_tables_v1()
