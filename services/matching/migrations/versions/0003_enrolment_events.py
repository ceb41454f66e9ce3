"""records remember the enrolment last published for them (the enrolments feed)

Revision ID: matching_0003
Revises: matching_0002
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = 'matching_0003'
down_revision = 'matching_0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('mt_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('aid_published', sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('mt_record', schema=None) as batch_op:
        batch_op.drop_column('aid_published')
