"""platform addresses

Revision ID: 3b250a053805
Revises: 5781e13fac8d
Create Date: 2026-11-28 23:29:30.946086
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db

revision = '3b250a053805'
down_revision = '5781e13fac8d'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('platform_addresses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=20), nullable=False),
    sa.Column('user_key', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('address', sa.JSON(), nullable=False),
    sa.Column('last_active_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_platform_addresses')),
    sa.UniqueConstraint('platform', 'user_key', name=op.f('uq_platform_addresses_platform'))
    )
    with op.batch_alter_table('platform_addresses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_platform_addresses_email'), ['email'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('platform_addresses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_platform_addresses_email'))

    op.drop_table('platform_addresses')
