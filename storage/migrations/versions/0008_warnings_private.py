"""Warnings: the author's link unreadable without the key; /check counted in a sliding window

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# Placeholder reserved for issue 15 work; filled in by the change that needs it.


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
