"""applications, workflow history, idempotency keys, imports

Revision ID: intake_0002
Revises: intake_0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'intake_0002'
down_revision = 'intake_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('idempotency_key',
    sa.Column('client', sa.String(length=200), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('response', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('client', 'key', name=op.f('pk_idempotency_key'))
    )
    op.create_table('import_job',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('division', sa.String(length=12), nullable=True),
    sa.Column('filename', sa.String(length=255), nullable=True),
    sa.Column('content_type', sa.String(length=100), nullable=True),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('rows_read', sa.Integer(), nullable=False),
    sa.Column('applications_created', sa.Integer(), nullable=False),
    sa.Column('applications_skipped', sa.Integer(), nullable=False),
    sa.Column('applications_rejected', sa.Integer(), nullable=False),
    sa.Column('error_rows', sa.Integer(), nullable=False),
    sa.Column('failure', sa.Text(), nullable=True),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_job'))
    )
    op.create_table('application',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('household_id', sa.String(length=36), nullable=False),
    sa.Column('programme', sa.String(length=20), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('division_code', sa.String(length=12), nullable=False),
    sa.Column('township_code', sa.String(length=9), nullable=False),
    sa.Column('county_code', sa.String(length=6), nullable=False),
    sa.Column('applicant_index', sa.Integer(), nullable=False),
    sa.Column('household_size', sa.Integer(), nullable=False),
    sa.Column('declaration', sa.JSON(), nullable=False),
    sa.Column('authorisation_signed_on', sa.Date(), nullable=True),
    sa.Column('close_relative_filed', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('source_ref', sa.String(length=100), nullable=True),
    sa.Column('import_job_id', sa.String(length=36), nullable=True),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('accepted_on', sa.Date(), nullable=True),
    sa.Column('missing_items', sa.JSON(), nullable=True),
    sa.Column('recommendation', sa.String(length=10), nullable=True),
    sa.Column('proposed_amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('notice_start_on', sa.Date(), nullable=True),
    sa.Column('notice_end_on', sa.Date(), nullable=True),
    sa.Column('notice_rounds', sa.Integer(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('payment_method', sa.String(length=20), nullable=True),
    sa.Column('effective_month', sa.String(length=7), nullable=True),
    sa.Column('review_cycle_months', sa.Integer(), nullable=True),
    sa.Column('next_review_on', sa.Date(), nullable=True),
    sa.Column('stop_notice_on', sa.Date(), nullable=True),
    sa.Column('extended', sa.Boolean(), nullable=False),
    sa.Column('step', sa.String(length=40), nullable=True),
    sa.Column('step_due_on', sa.Date(), nullable=True),
    sa.Column('process_due_on', sa.Date(), nullable=True),
    sa.Column('precheck_status', sa.String(length=10), nullable=False),
    sa.Column('precheck_result', sa.JSON(), nullable=True),
    sa.Column('precheck_attempts', sa.Integer(), nullable=False),
    sa.Column('precheck_next_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('precheck_checked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_application_household_id_household')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application')),
    sa.UniqueConstraint('source_ref', 'created_by', name='uq_application_source_ref_created_by')
    )
    op.create_index('ix_application_county_submitted', 'application', ['county_code', 'submitted_at', 'id'], unique=False)
    op.create_index('ix_application_precheck_pending', 'application', ['precheck_next_at'], unique=False, postgresql_where=sa.text("precheck_status = 'pending'"), sqlite_where=sa.text("precheck_status = 'pending'"))
    op.create_index('ix_application_status', 'application', ['status'], unique=False)
    op.create_index(op.f('ix_application_import_job_id'), 'application', ['import_job_id'], unique=False)
    op.create_index('ix_application_township_submitted', 'application', ['township_code', 'submitted_at', 'id'], unique=False)
    op.create_table('import_error',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('job_id', sa.String(length=36), nullable=False),
    sa.Column('row', sa.Integer(), nullable=False),
    sa.Column('source_ref', sa.String(length=100), nullable=True),
    sa.Column('field', sa.String(length=50), nullable=False),
    sa.Column('column', sa.String(length=50), nullable=False),
    sa.Column('code', sa.String(length=50), nullable=False),
    sa.Column('message_en', sa.String(length=500), nullable=False),
    sa.Column('message_zh', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['import_job.id'], name=op.f('fk_import_error_job_id_import_job')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_error'))
    )
    op.create_index(op.f('ix_import_error_job_id'), 'import_error', ['job_id'], unique=False)
    op.create_table('import_file',
    sa.Column('job_id', sa.String(length=36), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['import_job.id'], name=op.f('fk_import_file_job_id_import_job')),
    sa.PrimaryKeyConstraint('job_id', name=op.f('pk_import_file'))
    )
    op.create_table('member',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('household_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.Column('sex', sa.String(length=1), nullable=True),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('relationship', sa.String(length=2), nullable=False),
    sa.Column('disability_category', sa.Integer(), nullable=True),
    sa.Column('disability_grade', sa.Integer(), nullable=True),
    sa.Column('work_capacity', sa.String(length=10), nullable=True),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_member_household_id_household')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member'))
    )
    op.create_index(op.f('ix_member_household_id'), 'member', ['household_id'], unique=False)
    op.create_index(op.f('ix_member_id_number'), 'member', ['id_number'], unique=False)
    op.create_table('application_action',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('application_id', sa.String(length=36), nullable=False),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_application_action_application_id_application')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_action'))
    )
    op.create_index(op.f('ix_application_action_application_id'), 'application_action', ['application_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_application_action_application_id'), table_name='application_action')
    op.drop_table('application_action')
    op.drop_index(op.f('ix_member_id_number'), table_name='member')
    op.drop_index(op.f('ix_member_household_id'), table_name='member')
    op.drop_table('member')
    op.drop_table('import_file')
    op.drop_index(op.f('ix_import_error_job_id'), table_name='import_error')
    op.drop_table('import_error')
    op.drop_index('ix_application_township_submitted', table_name='application')
    op.drop_index('ix_application_status', table_name='application')
    op.drop_index(op.f('ix_application_import_job_id'), table_name='application')
    op.drop_index('ix_application_precheck_pending', table_name='application', postgresql_where=sa.text("precheck_status = 'pending'"), sqlite_where=sa.text("precheck_status = 'pending'"))
    op.drop_index('ix_application_county_submitted', table_name='application')
    op.drop_table('application')
    op.drop_table('import_job')
    op.drop_table('idempotency_key')
