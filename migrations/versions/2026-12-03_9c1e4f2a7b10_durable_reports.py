"""durable reports: form tokens, everyone a report may be about, the person reported sealed,
and outbox rows that know when they started sending and where they landed

Revision ID: 9c1e4f2a7b10
Revises: 3b250a053805
Create Date: 2026-12-03 07:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db

revision = '9c1e4f2a7b10'
down_revision = '3b250a053805'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject_digests', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('subject_sealed', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('submission_token', sa.String(length=100), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_tickets_submission_token'), ['submission_token'])
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sending_at', bot.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('platform_ref', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('platform_ref')
        batch_op.drop_column('sending_at')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_tickets_submission_token'), type_='unique')
        batch_op.drop_column('submission_token')
        batch_op.drop_column('subject_sealed')
        batch_op.drop_column('subject_digests')
