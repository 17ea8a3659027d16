"""Peer networks: networks, memberships, areas, passes, vouches, warnings, checks

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "networks",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name_index", sa.LargeBinary(length=32), nullable=False),
        sa.Column("key_wrapped", sa.LargeBinary(), nullable=False),
        sa.Column("name_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("config_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_networks")),
        sa.UniqueConstraint("name_index", name=op.f("uq_networks_name_index")),
    )
    op.create_table(
        "check_counts",
        sa.Column("member_id", sa.String(length=32), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_check_counts_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_check_counts")),
    )
    op.create_table(
        "network_members",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("network_id", sa.String(length=32), nullable=False),
        sa.Column("member_id", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("trusted", sa.Boolean(), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_network_members_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["networks.id"],
            name=op.f("fk_network_members_network_id_networks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_members")),
        sa.UniqueConstraint("network_id", "member_id", name=op.f("uq_network_members_network_id")),
    )
    with op.batch_alter_table("network_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_network_members_member_id"), ["member_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_network_members_network_id"), ["network_id"], unique=False
        )

    op.create_table(
        "area_subscriptions",
        sa.Column("membership_id", sa.String(length=32), nullable=False),
        sa.Column("area_digest", sa.LargeBinary(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["membership_id"],
            ["network_members.id"],
            name=op.f("fk_area_subscriptions_membership_id_network_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "membership_id", "area_digest", name=op.f("pk_area_subscriptions")
        ),
    )
    with op.batch_alter_table("area_subscriptions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_area_subscriptions_area_digest"), ["area_digest"], unique=False
        )

    op.create_table(
        "network_passes",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("network_id", sa.String(length=32), nullable=False),
        sa.Column("code_index", sa.LargeBinary(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("issuer_id", sa.String(length=32), nullable=True),
        sa.Column("candidate_id", sa.String(length=32), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["network_members.id"],
            name=op.f("fk_network_passes_candidate_id_network_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["issuer_id"],
            ["network_members.id"],
            name=op.f("fk_network_passes_issuer_id_network_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["networks.id"],
            name=op.f("fk_network_passes_network_id_networks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_passes")),
        sa.UniqueConstraint("code_index", name=op.f("uq_network_passes_code_index")),
    )
    with op.batch_alter_table("network_passes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_network_passes_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_network_passes_network_id"), ["network_id"], unique=False
        )

    op.create_table(
        "vouches",
        sa.Column("candidate_id", sa.String(length=32), nullable=False),
        sa.Column("voucher_digest", sa.LargeBinary(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["network_members.id"],
            name=op.f("fk_vouches_candidate_id_network_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("candidate_id", "voucher_digest", name=op.f("pk_vouches")),
    )
    op.create_table(
        "warnings",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("network_id", sa.String(length=32), nullable=False),
        sa.Column("reporter_id", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("body_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("me_too", sa.Integer(), nullable=False),
        sa.Column("flags", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["networks.id"],
            name=op.f("fk_warnings_network_id_networks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"],
            ["network_members.id"],
            name=op.f("fk_warnings_reporter_id_network_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warnings")),
    )
    with op.batch_alter_table("warnings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_warnings_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index("ix_warnings_network_status", ["network_id", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_warnings_reporter_id"), ["reporter_id"], unique=False)

    op.create_table(
        "warning_identifiers",
        sa.Column("warning_id", sa.String(length=32), nullable=False),
        sa.Column("digest", sa.LargeBinary(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["warning_id"],
            ["warnings.id"],
            name=op.f("fk_warning_identifiers_warning_id_warnings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("warning_id", "digest", name=op.f("pk_warning_identifiers")),
    )
    with op.batch_alter_table("warning_identifiers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_warning_identifiers_digest"), ["digest"], unique=False
        )

    op.create_table(
        "warning_marks",
        sa.Column("warning_id", sa.String(length=32), nullable=False),
        sa.Column("digest", sa.LargeBinary(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["warning_id"],
            ["warnings.id"],
            name=op.f("fk_warning_marks_warning_id_warnings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("warning_id", "digest", name=op.f("pk_warning_marks")),
    )


def downgrade() -> None:

    op.drop_table("warning_marks")
    with op.batch_alter_table("warning_identifiers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_warning_identifiers_digest"))

    op.drop_table("warning_identifiers")
    with op.batch_alter_table("warnings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_warnings_reporter_id"))
        batch_op.drop_index("ix_warnings_network_status")
        batch_op.drop_index(batch_op.f("ix_warnings_expires_at"))

    op.drop_table("warnings")
    op.drop_table("vouches")
    with op.batch_alter_table("network_passes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_network_passes_network_id"))
        batch_op.drop_index(batch_op.f("ix_network_passes_expires_at"))

    op.drop_table("network_passes")
    with op.batch_alter_table("area_subscriptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_area_subscriptions_area_digest"))

    op.drop_table("area_subscriptions")
    with op.batch_alter_table("network_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_network_members_network_id"))
        batch_op.drop_index(batch_op.f("ix_network_members_member_id"))

    op.drop_table("network_members")
    op.drop_table("check_counts")
    op.drop_table("networks")
