"""expert capstone: groups per cohort, members, milestone notes, contribution
statements; group submissions; an assessment's group block

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27

"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('capstone_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('problem', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'],
        name=op.f('fk_capstone_groups_assessment_id_assessments')),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_capstone_groups_cohort_id_cohorts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_capstone_groups')),
    sa.UniqueConstraint('cohort_id', 'name', name=op.f('uq_capstone_groups_cohort_id_name'))
    )
    with op.batch_alter_table('capstone_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_capstone_groups_cohort_id'), ['cohort_id'], unique=False)

    op.create_table('capstone_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('trainee_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_capstone_members_cohort_id_cohorts')),
    sa.ForeignKeyConstraint(['group_id'], ['capstone_groups.id'],
        name=op.f('fk_capstone_members_group_id_capstone_groups')),
    sa.ForeignKeyConstraint(['trainee_id'], ['users.id'], name=op.f('fk_capstone_members_trainee_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_capstone_members')),
    sa.UniqueConstraint('cohort_id', 'trainee_id', name=op.f('uq_capstone_members_cohort_id_trainee_id'))
    )
    with op.batch_alter_table('capstone_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_capstone_members_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_capstone_members_trainee_id'), ['trainee_id'], unique=False)

    op.create_table('capstone_milestone_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('milestone', sa.String(length=64), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_capstone_milestone_notes_author_id_users')),
    sa.ForeignKeyConstraint(['group_id'], ['capstone_groups.id'],
        name=op.f('fk_capstone_milestone_notes_group_id_capstone_groups')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_capstone_milestone_notes'))
    )
    with op.batch_alter_table('capstone_milestone_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_capstone_milestone_notes_group_id'), ['group_id'], unique=False)

    op.create_table('capstone_statements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('trainee_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'],
        name=op.f('fk_capstone_statements_submission_id_submissions')),
    sa.ForeignKeyConstraint(['trainee_id'], ['users.id'], name=op.f('fk_capstone_statements_trainee_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_capstone_statements')),
    sa.UniqueConstraint('submission_id', 'trainee_id', name=op.f('uq_capstone_statements_submission_id_trainee_id'))
    )
    with op.batch_alter_table('capstone_statements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_capstone_statements_submission_id'), ['submission_id'], unique=False)

    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('group_work', sa.JSON(), nullable=True))

    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('group_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_submissions_group_id'), ['group_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_submissions_group_id_assessment_id_attempt_no'),
            ['group_id', 'assessment_id', 'attempt_no'])
        batch_op.create_foreign_key(batch_op.f('fk_submissions_group_id_capstone_groups'),
            'capstone_groups', ['group_id'], ['id'])



def downgrade():
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_submissions_group_id_capstone_groups'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_submissions_group_id_assessment_id_attempt_no'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_submissions_group_id'))
        batch_op.drop_column('group_id')

    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_column('group_work')

    with op.batch_alter_table('capstone_statements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_capstone_statements_submission_id'))

    op.drop_table('capstone_statements')
    with op.batch_alter_table('capstone_milestone_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_capstone_milestone_notes_group_id'))

    op.drop_table('capstone_milestone_notes')
    with op.batch_alter_table('capstone_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_capstone_members_trainee_id'))
        batch_op.drop_index(batch_op.f('ix_capstone_members_group_id'))

    op.drop_table('capstone_members')
    with op.batch_alter_table('capstone_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_capstone_groups_cohort_id'))

    op.drop_table('capstone_groups')
