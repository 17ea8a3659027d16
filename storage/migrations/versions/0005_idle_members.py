"""Members not seen for long: when they were told; discreet wording; sent message ids

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.add_column(sa.Column("idle_notice_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("discreet", sa.Boolean(), server_default="0", nullable=False))
        batch.create_index(batch.f("ix_members_last_seen_at"), ["last_seen_at"], unique=False)
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("message_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("message_id")
    with op.batch_alter_table("members") as batch:
        batch.drop_index(batch.f("ix_members_last_seen_at"))
        batch.drop_column("discreet")
        batch.drop_column("idle_notice_at")
