"""the responsibility list per agent (AI primary / AI drafts – human reviews / human fallback),
versioned; a defect may name the item it concerns

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-27 06:32:49.532215

"""
import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('responsibility_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_responsibility_items_agent_id_agents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_responsibility_items')),
    sa.UniqueConstraint('agent_id', 'title', name=op.f('uq_responsibility_items_agent_id_title'))
    )
    with op.batch_alter_table('responsibility_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_responsibility_items_agent_id'), ['agent_id'], unique=False)

    op.create_table('responsibility_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('mode', sa.Enum('ai_primary', 'ai_drafts', 'human_fallback', name='ownermode', native_enum=False, length=32), nullable=False),
    sa.Column('boundary', sa.String(length=500), nullable=False),
    sa.Column('approver', sa.String(length=120), nullable=False),
    sa.Column('escalation', sa.String(length=200), nullable=False),
    sa.Column('review_on', sa.Date(), nullable=False),
    sa.Column('why', sa.String(length=1000), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_responsibility_versions_changed_by_id_users')),
    sa.ForeignKeyConstraint(['item_id'], ['responsibility_items.id'], name=op.f('fk_responsibility_versions_item_id_responsibility_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_responsibility_versions')),
    sa.UniqueConstraint('item_id', 'number', name=op.f('uq_responsibility_versions_item_id_number'))
    )
    with op.batch_alter_table('responsibility_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_responsibility_versions_item_id'), ['item_id'], unique=False)

    with op.batch_alter_table('agent_defects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('item_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_agent_defects_item_id'), ['item_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_agent_defects_item_id_responsibility_items'), 'responsibility_items', ['item_id'], ['id'])



def downgrade():
    with op.batch_alter_table('agent_defects', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_agent_defects_item_id_responsibility_items'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_agent_defects_item_id'))
        batch_op.drop_column('item_id')

    with op.batch_alter_table('responsibility_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_responsibility_versions_item_id'))

    op.drop_table('responsibility_versions')
    with op.batch_alter_table('responsibility_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_responsibility_items_agent_id'))

    op.drop_table('responsibility_items')
