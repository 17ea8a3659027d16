"""Her form of address: ella, él, or neutral wording (members created before: neutral)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.add_column(
            sa.Column("address", sa.String(length=8), server_default="neutral", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.drop_column("address")
