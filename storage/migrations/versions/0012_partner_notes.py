"""Partner notes: what a shift partner adds to her friend's running check-in

One column, `checkins.notes_sealed`: the notes of her partners (who wrote each, by id and
alias, the text, a pin), sealed together with the check-in's own key, like her details, and
dropped with them. No new clear column: a copy learns only whether a check-in has notes and
about how long they are.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("checkins") as batch:
        batch.add_column(sa.Column("notes_sealed", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("checkins") as batch:
        batch.drop_column("notes_sealed")
