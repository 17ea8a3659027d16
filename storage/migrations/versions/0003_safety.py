"""Code word and PINs; why a check-in alarmed; wrong PIN tries

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "member_safety",
        sa.Column("member_id", sa.String(length=32), nullable=False),
        sa.Column("codeword_digest", sa.LargeBinary(length=32), nullable=True),
        sa.Column("codeword_reply", sa.String(length=16), nullable=True),
        sa.Column("pins_sealed", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_member_safety_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_member_safety")),
    )
    op.add_column("checkins", sa.Column("alarm", sa.String(length=16), nullable=True))
    op.add_column(
        "checkins",
        sa.Column("pin_tries", sa.Integer(), server_default="0", nullable=False),
    )


def downgrade() -> None:
    with op.batch_alter_table("checkins") as batch:
        batch.drop_column("pin_tries")
        batch.drop_column("alarm")
    op.drop_table("member_safety")
