"""one active enrollment in an open cohort per trainee, held by a partial unique index

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27

"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

ACTIVE_OPEN = "status = 'active' AND cohort_open"


# Plain ALTERs, not batch mode: on SQLite batch mode copies the table, and with
# foreign keys on, dropping the old enrollments table fails once mentor
# assignments or baselines point at it (SQLite >= 3.35 has ADD/DROP COLUMN).
def upgrade():
    enrollments = sa.table('enrollments', sa.column('cohort_id', sa.Integer), sa.column('trainee_id', sa.Integer),
                           sa.column('status', sa.String), sa.column('cohort_open', sa.Boolean))
    cohorts = sa.table('cohorts', sa.column('id', sa.Integer), sa.column('closed_at', sa.DateTime))
    closed = sa.select(cohorts.c.id).where(cohorts.c.closed_at.is_not(None))
    conn = op.get_bind()
    # Earlier races may have left a trainee active in two open cohorts; which one
    # is right is the admin's call, so stop with the list rather than guess
    # (before any change: SQLite does not roll back the ALTERs).
    doubled = conn.execute(
        sa.select(enrollments.c.trainee_id)
        .where(enrollments.c.status == 'active', enrollments.c.cohort_id.not_in(closed))
        .group_by(enrollments.c.trainee_id).having(sa.func.count() > 1)
    ).scalars().all()
    if doubled:
        raise RuntimeError(
            f"Trainees (user ids) active in more than one open cohort: {sorted(doubled)}. "
            "Withdraw all but one of their enrollments, then run the upgrade again."
        )
    op.add_column('enrollments', sa.Column('cohort_open', sa.Boolean(), server_default=sa.true(), nullable=False))
    conn.execute(enrollments.update().where(enrollments.c.cohort_id.in_(closed)).values(cohort_open=False))
    op.create_index('uq_enrollments_one_active', 'enrollments', ['trainee_id'], unique=True,
                    sqlite_where=sa.text(ACTIVE_OPEN), postgresql_where=sa.text(ACTIVE_OPEN))


def downgrade():
    op.drop_index('uq_enrollments_one_active', table_name='enrollments')
    op.drop_column('enrollments', 'cohort_open')
