"""Shift partners: shifts, their members and their single-use passes, deleted when it ends

Every row of a shift refers to it with ON DELETE CASCADE: deleting the shift deletes its
members and passes with it, so that nothing of it is left. A member's status in a shift is
sealed with her own key.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shifts",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("created_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shifts")),
    )
    with op.batch_alter_table("shifts") as batch:
        batch.create_index(batch.f("ix_shifts_ends_at"), ["ends_at"], unique=False)
    op.create_table(
        "shift_members",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("shift_id", sa.String(length=32), nullable=False),
        sa.Column("member_id", sa.String(length=32), nullable=False),
        sa.Column("state_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("joined_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_shift_members_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"],
            ["shifts.id"],
            name=op.f("fk_shift_members_shift_id_shifts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shift_members")),
        sa.UniqueConstraint("member_id", name=op.f("uq_shift_members_member_id")),
    )
    with op.batch_alter_table("shift_members") as batch:
        batch.create_index(batch.f("ix_shift_members_shift_id"), ["shift_id"], unique=False)
    op.create_table(
        "shift_passes",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("shift_id", sa.String(length=32), nullable=False),
        sa.Column("token_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("expires_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["shift_id"],
            ["shifts.id"],
            name=op.f("fk_shift_passes_shift_id_shifts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shift_passes")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_shift_passes_token_hash")),
    )
    with op.batch_alter_table("shift_passes") as batch:
        batch.create_index(batch.f("ix_shift_passes_expires_at"), ["expires_at"], unique=False)
        batch.create_index(batch.f("ix_shift_passes_shift_id"), ["shift_id"], unique=False)


def downgrade() -> None:
    op.drop_table("shift_passes")
    op.drop_table("shift_members")
    op.drop_table("shifts")
