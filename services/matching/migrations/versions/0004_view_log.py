"""the review console's log of unmasked views

Revision ID: matching_0004
Revises: matching_0003
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = 'matching_0004'
down_revision = 'matching_0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('mt_view_log',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reviewer', sa.String(length=200), nullable=False),
    sa.Column('view', sa.String(length=40), nullable=False),
    sa.Column('records', sa.JSON(), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mt_view_log'))
    )
    with op.batch_alter_table('mt_view_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mt_view_log_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_mt_view_log_reviewer'), ['reviewer'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('mt_view_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mt_view_log_reviewer'))
        batch_op.drop_index(batch_op.f('ix_mt_view_log_at'))
    op.drop_table('mt_view_log')
