"""Index the outbox in the order the sender takes it: status, priority, age

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_outbox_pending", table_name="outbox")
    op.create_index("ix_outbox_queue", "outbox", ["status", "priority", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_outbox_queue", table_name="outbox")
    op.create_index("ix_outbox_pending", "outbox", ["status", "priority", "not_before"])
