"""Accompaniment: support cases relayed between a member and her network's coordinators

One row per case: its kind, who asked, who took it and every message are sealed with the
network's key (`body_sealed`); who asked and who took it are also keyed digests under that
key. Clear: the network, the status, when it was opened, when its reminder is due and when a
closed case is deleted. Deleting a network deletes its cases (ON DELETE CASCADE).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "support_cases",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("network_id", sa.String(length=32), nullable=False),
        sa.Column("member_digest", sa.LargeBinary(length=32), nullable=False),
        sa.Column("coordinator_digest", sa.LargeBinary(length=32), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("body_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("remind_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("expires_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["networks.id"],
            name=op.f("fk_support_cases_network_id_networks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_cases")),
    )
    with op.batch_alter_table("support_cases") as batch:
        batch.create_index(
            batch.f("ix_support_cases_coordinator_digest"), ["coordinator_digest"], unique=False
        )
        batch.create_index(batch.f("ix_support_cases_expires_at"), ["expires_at"], unique=False)
        batch.create_index(
            batch.f("ix_support_cases_member_digest"), ["member_digest"], unique=False
        )
        batch.create_index(
            "ix_support_cases_network_status", ["network_id", "status"], unique=False
        )
        batch.create_index(batch.f("ix_support_cases_remind_at"), ["remind_at"], unique=False)


def downgrade() -> None:
    op.drop_table("support_cases")
