"""Shift partners: shifts and their members, deleted when the shift ends

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# Placeholder reserved for issue 16 work; filled in by the change that needs it.


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
