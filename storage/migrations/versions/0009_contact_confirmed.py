"""Contacts: pending until the worker confirms the account that opened her link

A link made by accepting an invitation waits (`confirmed_at` null) until the worker taps
"Sí"; her buttons carry a random token, of which only a hash is kept (`confirm_hash`).
Contacts made before this revision were accepted under the old rule: they count as
confirmed since they were made.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contacts") as batch:
        batch.add_column(
            sa.Column("confirmed_at", storage.models.UTCDateTime(timezone=True), nullable=True)
        )
        batch.add_column(sa.Column("confirm_hash", sa.LargeBinary(length=32), nullable=True))
    op.execute("UPDATE contacts SET confirmed_at = created_at")


def downgrade() -> None:
    # Before this revision every row was an active contact: a pending one must not become one.
    op.execute("DELETE FROM contacts WHERE confirmed_at IS NULL")
    with op.batch_alter_table("contacts") as batch:
        batch.drop_column("confirm_hash")
        batch.drop_column("confirmed_at")
