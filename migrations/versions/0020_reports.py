"""reports: the program's reference figures (program.yaml `reference`), shown beside the
cohort's own numbers on the dashboard; report snapshots (the dashboard kept for a minute)

Revision ID: 0020
Revises: 0022
Create Date: 2026-11-27 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reference', sa.JSON(), server_default='{}', nullable=False))
    op.create_table('report_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('html', sa.Text(), nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_snapshots')),
    sa.UniqueConstraint('key', name=op.f('uq_report_snapshots_key'))
    )


def downgrade():
    op.drop_table('report_snapshots')
    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.drop_column('reference')
