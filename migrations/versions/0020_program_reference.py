"""the program's reference figures (program.yaml `reference`), shown beside the cohort's own
numbers on the dashboard

Revision ID: 0020
Revises: 0018
Create Date: 2026-11-27 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reference', sa.JSON(), server_default='{}', nullable=False))


def downgrade():
    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.drop_column('reference')
