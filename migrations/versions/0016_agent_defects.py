"""agent defects fed back by placed people: defects, co-reporters, screenshots, triage events;
the program's defect severity scale; the reviewer capability

Revision ID: 0016
Revises: 0014
Create Date: 2026-11-27 06:25:08.129312

"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('agent_defects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=False),
    sa.Column('placement_id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('type', sa.Enum('wrong_answer', 'missed_answer', 'slow_response', 'bad_handoff', 'misleading_promo', 'other', name='defecttype', native_enum=False, length=32), nullable=False),
    sa.Column('intent', sa.String(length=120), nullable=False),
    sa.Column('intent_key', sa.String(length=120), nullable=False),
    sa.Column('platform', sa.String(length=120), nullable=False),
    sa.Column('sku', sa.String(length=120), nullable=True),
    sa.Column('kb_entry', sa.String(length=120), nullable=True),
    sa.Column('excerpt', sa.Text(), nullable=False),
    sa.Column('agent_said', sa.Text(), nullable=False),
    sa.Column('should_say', sa.Text(), nullable=False),
    sa.Column('reach', sa.Integer(), nullable=True),
    sa.Column('severity', sa.String(length=32), nullable=False),
    sa.Column('complex', sa.Boolean(), nullable=False),
    sa.Column('seen_at', sa.DateTime(), nullable=False),
    sa.Column('state', sa.Enum('new', 'confirmed', 'in_fix', 'fixed', 'verified', 'rejected', 'duplicate', name='defectstate', native_enum=False, length=32), nullable=False),
    sa.Column('duplicate_of_id', sa.Integer(), nullable=True),
    sa.Column('reject_reason', sa.String(length=1000), nullable=True),
    sa.Column('recurrence_of_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('first_response_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('verified_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('reach IS NULL OR reach >= 0', name=op.f('ck_agent_defects_reach_not_negative')),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_agent_defects_agent_id_agents')),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_agent_defects_cohort_id_cohorts')),
    sa.ForeignKeyConstraint(['duplicate_of_id'], ['agent_defects.id'], name=op.f('fk_agent_defects_duplicate_of_id_agent_defects')),
    sa.ForeignKeyConstraint(['placement_id'], ['placements.id'], name=op.f('fk_agent_defects_placement_id_placements')),
    sa.ForeignKeyConstraint(['recurrence_of_id'], ['agent_defects.id'], name=op.f('fk_agent_defects_recurrence_of_id_agent_defects')),
    sa.ForeignKeyConstraint(['reporter_id'], ['users.id'], name=op.f('fk_agent_defects_reporter_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agent_defects'))
    )
    with op.batch_alter_table('agent_defects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agent_defects_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agent_defects_reporter_id'), ['reporter_id'], unique=False)
        batch_op.create_index('ix_agent_defects_similar', ['agent_id', 'type', 'intent_key', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_agent_defects_state'), ['state'], unique=False)

    op.create_table('defect_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('defect_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('from_state', sa.Enum('new', 'confirmed', 'in_fix', 'fixed', 'verified', 'rejected', 'duplicate', name='defectstate', native_enum=False, length=32), nullable=False),
    sa.Column('to_state', sa.Enum('new', 'confirmed', 'in_fix', 'fixed', 'verified', 'rejected', 'duplicate', name='defectstate', native_enum=False, length=32), nullable=False),
    sa.Column('note', sa.String(length=1000), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_defect_events_actor_id_users')),
    sa.ForeignKeyConstraint(['defect_id'], ['agent_defects.id'], name=op.f('fk_defect_events_defect_id_agent_defects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_defect_events'))
    )
    with op.batch_alter_table('defect_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_defect_events_defect_id'), ['defect_id'], unique=False)

    op.create_table('defect_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('defect_id', sa.Integer(), nullable=False),
    sa.Column('uploader_id', sa.Integer(), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=120), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['defect_id'], ['agent_defects.id'], name=op.f('fk_defect_files_defect_id_agent_defects')),
    sa.ForeignKeyConstraint(['uploader_id'], ['users.id'], name=op.f('fk_defect_files_uploader_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_defect_files')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_defect_files_stored_name'))
    )
    with op.batch_alter_table('defect_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_defect_files_defect_id'), ['defect_id'], unique=False)

    op.create_table('defect_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('defect_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('excerpt', sa.Text(), nullable=False),
    sa.Column('from_duplicate_id', sa.Integer(), nullable=True),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['defect_id'], ['agent_defects.id'], name=op.f('fk_defect_reports_defect_id_agent_defects')),
    sa.ForeignKeyConstraint(['from_duplicate_id'], ['agent_defects.id'], name=op.f('fk_defect_reports_from_duplicate_id_agent_defects')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_defect_reports_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_defect_reports')),
    sa.UniqueConstraint('defect_id', 'user_id', name=op.f('uq_defect_reports_defect_id_user_id'))
    )
    with op.batch_alter_table('defect_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_defect_reports_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('defect_severity', sa.JSON(), server_default='[]', nullable=False))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reviewer', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('reviewer')

    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.drop_column('defect_severity')

    with op.batch_alter_table('defect_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_defect_reports_user_id'))

    op.drop_table('defect_reports')
    with op.batch_alter_table('defect_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_defect_files_defect_id'))

    op.drop_table('defect_files')
    with op.batch_alter_table('defect_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_defect_events_defect_id'))

    op.drop_table('defect_events')
    with op.batch_alter_table('agent_defects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agent_defects_state'))
        batch_op.drop_index('ix_agent_defects_similar')
        batch_op.drop_index(batch_op.f('ix_agent_defects_reporter_id'))
        batch_op.drop_index(batch_op.f('ix_agent_defects_cohort_id'))

    op.drop_table('agent_defects')
