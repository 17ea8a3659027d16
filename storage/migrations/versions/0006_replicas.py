"""Several replicas: outbox leases, handled webhook updates, the shared send budget

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "handled_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_handled_updates")),
    )
    with op.batch_alter_table("handled_updates") as batch:
        batch.create_index(batch.f("ix_handled_updates_handled_at"), ["handled_at"], unique=False)
    op.create_table(
        "send_pace",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("next_slot", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_send_pace")),
    )


def downgrade() -> None:
    op.drop_table("send_pace")
    with op.batch_alter_table("handled_updates") as batch:
        batch.drop_index(batch.f("ix_handled_updates_handled_at"))
    op.drop_table("handled_updates")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("claimed_until")
        batch.drop_column("claimed_by")
