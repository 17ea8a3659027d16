"""Private record: a member's own sealed incident entries

One table, `record_entries`: each entry sealed with her data key (padded), whose it is only
as a keyed digest under that key, and the day it expires. No foreign key to her row: /forget
deletes her entries explicitly, and without her key nobody can tell which they were.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "record_entries",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("owner_digest", sa.LargeBinary(length=32), nullable=False),
        sa.Column("entry_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("expires_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_entries")),
    )
    with op.batch_alter_table("record_entries") as batch:
        batch.create_index(batch.f("ix_record_entries_expires_at"), ["expires_at"], unique=False)
        batch.create_index(
            batch.f("ix_record_entries_owner_digest"), ["owner_digest"], unique=False
        )


def downgrade() -> None:
    op.drop_table("record_entries")
