"""indexes for the busiest pages: submissions on (trainee_id, group_id) in place of trainee_id,
so a trainee's own work (group_id IS NULL) is found by trainee on SQLite too; mentor assignments
on (enrollment_id, kind, ended_at, mentor_id) in place of enrollment_id, so an enrollment's
current mentors are read from the index alone

Revision ID: 0022
Revises: 0019
Create Date: 2026-11-27 08:40:00

"""
from alembic import op

revision = '0022'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.create_index('ix_submissions_trainee_id_group_id', ['trainee_id', 'group_id'], unique=False)
        batch_op.drop_index('ix_submissions_trainee_id')
    with op.batch_alter_table('mentor_assignments', schema=None) as batch_op:
        batch_op.create_index('ix_mentor_assignments_enrollment_kind',
                              ['enrollment_id', 'kind', 'ended_at', 'mentor_id'], unique=False)
        batch_op.drop_index('ix_mentor_assignments_enrollment_id')


def downgrade():
    with op.batch_alter_table('mentor_assignments', schema=None) as batch_op:
        batch_op.create_index('ix_mentor_assignments_enrollment_id', ['enrollment_id'], unique=False)
        batch_op.drop_index('ix_mentor_assignments_enrollment_kind')
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.create_index('ix_submissions_trainee_id', ['trainee_id'], unique=False)
        batch_op.drop_index('ix_submissions_trainee_id_group_id')
