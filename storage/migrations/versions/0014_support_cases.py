"""Accompaniment: support cases relayed between a member and her network's coordinators

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08
"""

from __future__ import annotations

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# Placeholder reserved for issue 17 work; filled in by the change that needs it.


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
