"""contributions to the agent's improvement (Agent迭代贡献奖): adoption, measurement over
comparable windows, award band, points and payout

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-27 06:34:47.524637

"""
import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('contributions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contributor_id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('defect_id', sa.Integer(), nullable=True),
    sa.Column('category', sa.Enum('misanswer_attribution', 'kb_update', 'handoff_strategy', 'campaign_calibration', 'exception_script', name='contributioncategory', native_enum=False, length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('state', sa.Enum('submitted', 'adopted', 'measured', 'awarded', 'not_qualified', name='contributionstate', native_enum=False, length=32), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.Column('adopted_at', sa.DateTime(), nullable=True),
    sa.Column('adopted_by_id', sa.Integer(), nullable=True),
    sa.Column('release_on', sa.Date(), nullable=True),
    sa.Column('window_days', sa.Integer(), nullable=True),
    sa.Column('before_samples', sa.Integer(), nullable=True),
    sa.Column('after_samples', sa.Integer(), nullable=True),
    sa.Column('efficiency_before', sa.Numeric(precision=14, scale=4), nullable=True),
    sa.Column('efficiency_after', sa.Numeric(precision=14, scale=4), nullable=True),
    sa.Column('efficiency_higher_better', sa.Boolean(), nullable=True),
    sa.Column('error_before', sa.Numeric(precision=14, scale=4), nullable=True),
    sa.Column('error_after', sa.Numeric(precision=14, scale=4), nullable=True),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('measured_by_id', sa.Integer(), nullable=True),
    sa.Column('measured_at', sa.DateTime(), nullable=True),
    sa.Column('band_cny', sa.Integer(), nullable=True),
    sa.Column('points', sa.Integer(), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(), nullable=True),
    sa.Column('payout', sa.Enum('approved', 'paid', name='payout', native_enum=False, length=32), nullable=True),
    sa.Column('paid_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['adopted_by_id'], ['users.id'], name=op.f('fk_contributions_adopted_by_id_users')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_contributions_approved_by_id_users')),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_contributions_cohort_id_cohorts')),
    sa.ForeignKeyConstraint(['contributor_id'], ['users.id'], name=op.f('fk_contributions_contributor_id_users')),
    sa.ForeignKeyConstraint(['defect_id'], ['agent_defects.id'], name=op.f('fk_contributions_defect_id_agent_defects')),
    sa.ForeignKeyConstraint(['measured_by_id'], ['users.id'], name=op.f('fk_contributions_measured_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contributions')),
    sa.UniqueConstraint('defect_id', name=op.f('uq_contributions_defect_id'))
    )
    with op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contributions_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contributions_contributor_id'), ['contributor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contributions_state'), ['state'], unique=False)



def downgrade():
    with op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contributions_state'))
        batch_op.drop_index(batch_op.f('ix_contributions_contributor_id'))
        batch_op.drop_index(batch_op.f('ix_contributions_cohort_id'))

    op.drop_table('contributions')
