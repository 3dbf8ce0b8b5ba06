"""submissions: every auto-check run (time, field, passed), so the mentor sees blocked tries

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28

"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('check_runs', sa.JSON(), nullable=True))
    op.execute(sa.text("UPDATE submissions SET check_runs = '[]'"))
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.alter_column('check_runs', existing_type=sa.JSON(), nullable=False)


def downgrade():
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_column('check_runs')
