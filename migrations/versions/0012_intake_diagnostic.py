"""intake diagnostic: the diagnostic, each enrollment's result, baseline source and adjustments

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27

"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('diagnostics',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('title', sa.JSON(), nullable=False),
    sa.Column('brief', sa.JSON(), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('archived_at', sa.DateTime(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_diagnostics_program_id_programs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_diagnostics')),
    sa.UniqueConstraint('program_id', 'code', name=op.f('uq_diagnostics_program_id_code'))
    )
    op.create_table('diagnostic_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('diagnostic_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.String(length=64), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['diagnostic_id'], ['diagnostics.id'],
                            name=op.f('fk_diagnostic_results_diagnostic_id_diagnostics')),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollments.id'],
                            name=op.f('fk_diagnostic_results_enrollment_id_enrollments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_diagnostic_results')),
    sa.UniqueConstraint('enrollment_id', name=op.f('uq_diagnostic_results_enrollment_id'))
    )
    with op.batch_alter_table('baseline_ratings', schema=None) as batch_op:
        # ratings typed before the diagnostic existed were a mentor's
        batch_op.add_column(sa.Column('source', sa.Enum('diagnostic', 'mentor', name='baselinesource',
                                                        native_enum=False, length=32),
                                      server_default='mentor', nullable=False))
        batch_op.add_column(sa.Column('diagnostic_score', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reason', sa.String(length=500), nullable=True))
        batch_op.alter_column('rated_by_id', existing_type=sa.Integer(), nullable=True)


def downgrade():
    # an untouched diagnostic score has no rater: credit the trainee, whose answers it came from
    op.execute("UPDATE baseline_ratings SET rated_by_id = (SELECT trainee_id FROM enrollments "
               "WHERE enrollments.id = baseline_ratings.enrollment_id) WHERE rated_by_id IS NULL")
    with op.batch_alter_table('baseline_ratings', schema=None) as batch_op:
        batch_op.alter_column('rated_by_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('reason')
        batch_op.drop_column('diagnostic_score')
        batch_op.drop_column('source')
    op.drop_table('diagnostic_results')
    op.drop_table('diagnostics')
