"""rubric criteria: what is judged, shown to trainees (level descriptors stay with mentors)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28

"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rubric_criteria', schema=None) as batch_op:
        batch_op.add_column(sa.Column('judged', sa.JSON(), nullable=True))
    # Until the next `lms courses sync` writes the texts from the course files, a
    # criterion's title is a truthful (if short) account of what it judges; the
    # cleared hash makes that sync rewrite every criterion.
    criteria = sa.table('rubric_criteria', sa.column('title', sa.JSON), sa.column('judged', sa.JSON),
                        sa.column('content_hash', sa.String))
    op.execute(criteria.update().values(judged=criteria.c.title, content_hash=''))
    with op.batch_alter_table('rubric_criteria', schema=None) as batch_op:
        batch_op.alter_column('judged', existing_type=sa.JSON(), nullable=False)


def downgrade():
    with op.batch_alter_table('rubric_criteria', schema=None) as batch_op:
        batch_op.drop_column('judged')
