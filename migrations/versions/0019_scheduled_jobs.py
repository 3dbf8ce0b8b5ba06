"""scheduled jobs: job runs claimed per period, notification dedupe keys, the outbox of e-mail
and webhook deliveries, each program's webhook, quiet hours per user, defect escalation and
the interim note it requires

Revision ID: 0019
Revises: 0021
Create Date: 2026-11-27 08:19:36.397091

"""
import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sa.String(length=64), nullable=False),
    sa.Column('period', sa.String(length=32), nullable=False),
    sa.Column('period_start', sa.DateTime(), nullable=False),
    sa.Column('state', sa.Enum('running', 'ok', 'failed', name='jobrunstate', native_enum=False, length=32), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('owner', sa.String(length=120), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_runs')),
    sa.UniqueConstraint('job', 'period', name=op.f('uq_job_runs_job_period'))
    )
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.create_index('ix_job_runs_job_started', ['job', 'started_at'], unique=False)

    op.create_table('program_webhooks',
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('secret', sa.String(length=128), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_program_webhooks_program_id_programs')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_program_webhooks_updated_by_id_users')),
    sa.PrimaryKeyConstraint('program_id', name=op.f('pk_program_webhooks'))
    )
    op.create_table('deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notification_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.Enum('email', 'webhook', name='deliverychannel', native_enum=False, length=32), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=True),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('state', sa.Enum('pending', 'sent', 'failed', name='deliverystate', native_enum=False, length=32), nullable=False),
    sa.Column('deliver_after', sa.DateTime(), nullable=False),
    sa.Column('held', sa.Boolean(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claimed_until', sa.DateTime(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['notification_id'], ['notifications.id'], name=op.f('fk_deliveries_notification_id_notifications')),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_deliveries_program_id_programs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deliveries')),
    sa.UniqueConstraint('notification_id', 'channel', name=op.f('uq_deliveries_notification_id_channel'))
    )
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_deliveries_due', ['state', 'deliver_after'], unique=False)

    with op.batch_alter_table('agent_defects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('response_escalated_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('close_escalated_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('interim_note_at', sa.DateTime(), nullable=True))

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dedupe_key', sa.String(length=160), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_notifications_user_id_dedupe_key'), ['user_id', 'dedupe_key'])

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quiet_start', sa.Time(), nullable=True))
        batch_op.add_column(sa.Column('quiet_end', sa.Time(), nullable=True))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('quiet_end')
        batch_op.drop_column('quiet_start')

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_notifications_user_id_dedupe_key'), type_='unique')
        batch_op.drop_column('dedupe_key')

    with op.batch_alter_table('agent_defects', schema=None) as batch_op:
        batch_op.drop_column('interim_note_at')
        batch_op.drop_column('close_escalated_at')
        batch_op.drop_column('response_escalated_at')

    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_deliveries_due')

    op.drop_table('deliveries')
    op.drop_table('program_webhooks')
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_job_runs_job_started')

    op.drop_table('job_runs')
