"""uploads in the database (UPLOAD_STORAGE=database) and the retention purge's marks

Revision ID: 0023
Revises: 0018
Create Date: 2026-11-27 08:18:29.024406

"""
import sqlalchemy as sa
from alembic import op

revision = '0023'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('upload_chunks',
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('stored_name', 'seq', name=op.f('pk_upload_chunks'))
    )
    if op.get_bind().dialect.name == "postgresql":
        # PDF, PNG, JPEG and Office files are compressed already: store the bytes as they are
        # rather than have PostgreSQL try to compress every piece again.
        op.execute("ALTER TABLE upload_chunks ALTER COLUMN data SET STORAGE EXTERNAL")
    with op.batch_alter_table('agent_defects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purged_at', sa.DateTime(), nullable=True))

    with op.batch_alter_table('submission_files', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purged_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('submission_files', schema=None) as batch_op:
        batch_op.drop_column('purged_at')

    with op.batch_alter_table('agent_defects', schema=None) as batch_op:
        batch_op.drop_column('purged_at')

    op.drop_table('upload_chunks')
