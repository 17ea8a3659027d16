"""Check-in and member metadata sealed or explained

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# Placeholder reserved for issue 15 work; filled in by the change that needs it.


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
