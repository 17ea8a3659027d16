"""Contacts: pending until the worker confirms the account that opened her link

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# Placeholder reserved for issue 15 work; filled in by the change that needs it.


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
