"""placement and the 1:1 buffer period: agents, placements, training outcomes, coach seats,
check-ins, hand-off events, business-calendar overrides

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-27 05:19:58.880258

"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

REASONS = ('skills_gap', 'no_opening', 'performance', 'personal', 'health', 'business_change', 'own_choice',
           'goal_met', 'other')
TRAINING_OUTCOMES = ('extended_training', 'redeployed', 'returned', 'left')


def _enum(name, *values):
    return sa.Enum(*values, name=name, native_enum=False, length=32)


def upgrade():
    op.create_table('agents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('platform', sa.String(length=120), nullable=False),
    sa.Column('version', sa.String(length=40), nullable=False),
    sa.Column('owner_team', sa.String(length=120), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agents')),
    sa.UniqueConstraint('code', name=op.f('uq_agents_code'))
    )
    op.create_table('calendar_overrides',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', _enum('daykind', 'workday', 'holiday'), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_calendar_overrides'))
    )
    op.create_table('coach_seats',
    sa.Column('coach_id', sa.Integer(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('taken', sa.Integer(), server_default='0', nullable=False),
    sa.CheckConstraint('taken >= 0 AND taken <= capacity', name=op.f('ck_coach_seats_load_within_capacity')),
    sa.ForeignKeyConstraint(['coach_id'], ['users.id'],
                            name=op.f('fk_coach_seats_coach_id_users')),
    sa.PrimaryKeyConstraint('coach_id', name=op.f('pk_coach_seats'))
    )
    op.create_table('placements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('trainee_id', sa.Integer(), nullable=False),
    sa.Column('role', _enum('targetrole', 'collab_cs', 'ai_trainer', 'ops_specialist', 'ux_architect'), nullable=False),
    sa.Column('team', sa.String(length=120), nullable=False),
    sa.Column('lead_name', sa.String(length=120), nullable=False),
    sa.Column('lead_email', sa.String(length=254), nullable=True),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('coach_id', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('buffer_end', sa.Date(), nullable=False),
    sa.Column('pay_band_before', sa.String(length=40), nullable=True),
    sa.Column('pay_band_after', sa.String(length=40), nullable=True),
    sa.Column('outcome', _enum('bufferoutcome', 'completed', 'extended', 'redeployed', 'left'), nullable=True),
    sa.Column('outcome_reason', _enum('reasoncode', *REASONS), nullable=True),
    sa.Column('outcome_note', sa.String(length=1000), nullable=True),
    sa.Column('outcome_on', sa.Date(), nullable=True),
    sa.Column('placed_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('buffer_end > start_date', name=op.f('ck_placements_buffer_after_start')),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'],
                            name=op.f('fk_placements_agent_id_agents')),
    sa.ForeignKeyConstraint(['coach_id'], ['users.id'],
                            name=op.f('fk_placements_coach_id_users')),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollments.id'],
                            name=op.f('fk_placements_enrollment_id_enrollments')),
    sa.ForeignKeyConstraint(['placed_by_id'], ['users.id'],
                            name=op.f('fk_placements_placed_by_id_users')),
    sa.ForeignKeyConstraint(['trainee_id'], ['users.id'],
                            name=op.f('fk_placements_trainee_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_placements')),
    sa.UniqueConstraint('enrollment_id', name=op.f('uq_placements_enrollment_id'))
    )
    with op.batch_alter_table('placements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_placements_agent_id'), ['agent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_placements_coach_id'), ['coach_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_placements_trainee_id'), ['trainee_id'], unique=False)

    op.create_table('training_outcomes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('kind', _enum('trainingoutcomekind', *TRAINING_OUTCOMES), nullable=False),
    sa.Column('reason', _enum('reasoncode', *REASONS), nullable=False),
    sa.Column('note', sa.String(length=1000), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollments.id'],
                            name=op.f('fk_training_outcomes_enrollment_id_enrollments')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'],
                            name=op.f('fk_training_outcomes_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_outcomes')),
    sa.UniqueConstraint('enrollment_id', name=op.f('uq_training_outcomes_enrollment_id'))
    )
    op.create_table('checkins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('placement_id', sa.Integer(), nullable=False),
    sa.Column('week', sa.Integer(), nullable=False),
    sa.Column('coach_id', sa.Integer(), nullable=False),
    sa.Column('agent_share', sa.Integer(), nullable=False),
    sa.Column('handoffs', sa.Integer(), nullable=False),
    sa.Column('went_well', sa.Text(), nullable=False),
    sa.Column('hard', sa.Text(), nullable=False),
    sa.Column('wellbeing', sa.Integer(), nullable=False),
    sa.Column('actions', sa.JSON(), nullable=False),
    sa.Column('trainee_note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('agent_share BETWEEN 0 AND 100', name=op.f('ck_checkins_agent_share_range')),
    sa.CheckConstraint('wellbeing BETWEEN 1 AND 5', name=op.f('ck_checkins_wellbeing_range')),
    sa.ForeignKeyConstraint(['coach_id'], ['users.id'],
                            name=op.f('fk_checkins_coach_id_users')),
    sa.ForeignKeyConstraint(['placement_id'], ['placements.id'],
                            name=op.f('fk_checkins_placement_id_placements')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkins')),
    sa.UniqueConstraint('placement_id', 'week', name=op.f('uq_checkins_placement_id_week'))
    )
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkins_placement_id'), ['placement_id'], unique=False)

    op.create_table('handoff_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=100), nullable=False),
    sa.Column('placement_id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('week', sa.Integer(), nullable=False),
    sa.Column('flagged_at', sa.DateTime(), nullable=False),
    sa.Column('responded_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('complex', sa.Boolean(), nullable=False),
    sa.Column('cross_team', sa.Boolean(), nullable=False),
    sa.Column('category', sa.String(length=100), nullable=False),
    sa.Column('response_seconds', sa.Integer(), nullable=True),
    sa.Column('close_seconds', sa.Integer(), nullable=True),
    sa.Column('response_work_seconds', sa.Integer(), nullable=True),
    sa.Column('close_work_seconds', sa.Integer(), nullable=True),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'],
                            name=op.f('fk_handoff_events_agent_id_agents')),
    sa.ForeignKeyConstraint(['placement_id'], ['placements.id'],
                            name=op.f('fk_handoff_events_placement_id_placements')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handoff_events')),
    sa.UniqueConstraint('external_id', name=op.f('uq_handoff_events_external_id'))
    )
    with op.batch_alter_table('handoff_events', schema=None) as batch_op:
        batch_op.create_index('ix_handoff_events_placement_week', ['placement_id', 'week'], unique=False)



def downgrade():
    with op.batch_alter_table('handoff_events', schema=None) as batch_op:
        batch_op.drop_index('ix_handoff_events_placement_week')

    op.drop_table('handoff_events')
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkins_placement_id'))

    op.drop_table('checkins')
    op.drop_table('training_outcomes')
    with op.batch_alter_table('placements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_placements_trainee_id'))
        batch_op.drop_index(batch_op.f('ix_placements_coach_id'))
        batch_op.drop_index(batch_op.f('ix_placements_agent_id'))

    op.drop_table('placements')
    op.drop_table('coach_seats')
    op.drop_table('calendar_overrides')
    op.drop_table('agents')
