"""Warnings: the author's link unreadable without the key; /check counted in a sliding window

`warnings.reporter_id` (a membership id in clear) becomes `reporter_digest`, a keyed digest
of the membership under the network's key (her warnings are counted with it), and
`reporter_sealed`, the membership sealed with the network's key (to tell her of a decision
or trust her). `check_counts` keeps, instead of a count per fixed hour, the times of her
checks of the last hour, sealed with her key: a sliding window.

Existing rows are converted here, with the master key that `storage.migrate.upgrade` hands
in: every link is kept, and the checks counted in a window still open are kept as if made
at the upgrade (so no more than the limit in any hour). A database with rows to convert and
no key refuses the upgrade and changes nothing. Downgrading opens them again, with the key.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from alembic import context, op

from storage.crypto import Keyring
from storage.models import UTCDateTime
from storage.warnings import (
    open_check_times,
    open_reporter,
    reporter_digest,
    seal_check_times,
    seal_reporter,
)

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_WARNINGS = sa.table(
    "warnings",
    sa.column("id", sa.String),
    sa.column("network_id", sa.String),
    sa.column("reporter_id", sa.String),
    sa.column("reporter_digest", sa.LargeBinary),
    sa.column("reporter_sealed", sa.LargeBinary),
)
_NETWORKS = sa.table(
    "networks", sa.column("id", sa.String), sa.column("key_wrapped", sa.LargeBinary)
)
_MEMBERSHIPS = sa.table("network_members", sa.column("id", sa.String))
_MEMBERS = sa.table(
    "members", sa.column("id", sa.String), sa.column("key_wrapped", sa.LargeBinary)
)
_CHECKS = sa.table(
    "check_counts",
    sa.column("member_id", sa.String),
    sa.column("window_start", UTCDateTime),
    sa.column("used", sa.Integer),
    sa.column("times_sealed", sa.LargeBinary),
)
_REPORTER_FK = "fk_warnings_reporter_id_network_members"


class MasterKeyNeeded(RuntimeError):
    """Rows must be sealed or opened, and no master key was handed in."""


def upgrade() -> None:
    connection = op.get_bind()
    with op.batch_alter_table("warnings") as batch:
        batch.add_column(sa.Column("reporter_digest", sa.LargeBinary(length=32), nullable=True))
        batch.add_column(sa.Column("reporter_sealed", sa.LargeBinary(), nullable=True))
    with op.batch_alter_table("check_counts") as batch:
        batch.add_column(sa.Column("times_sealed", sa.LargeBinary(), nullable=True))
    _seal_reporters(connection)
    _seal_checks(connection, datetime.now(UTC))
    with op.batch_alter_table("warnings") as batch:
        batch.drop_index("ix_warnings_reporter_id")
        batch.drop_constraint(_REPORTER_FK, type_="foreignkey")
        batch.drop_column("reporter_id")
        batch.create_index("ix_warnings_reporter_digest", ["reporter_digest"], unique=False)
    with op.batch_alter_table("check_counts") as batch:
        batch.drop_column("window_start")
        batch.drop_column("used")
        batch.alter_column("times_sealed", existing_type=sa.LargeBinary(), nullable=False)


def downgrade() -> None:
    connection = op.get_bind()
    with op.batch_alter_table("warnings") as batch:
        batch.add_column(sa.Column("reporter_id", sa.String(length=32), nullable=True))
    with op.batch_alter_table("check_counts") as batch:
        batch.add_column(sa.Column("window_start", UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("used", sa.Integer(), nullable=True))
    _open_reporters(connection)
    _open_checks(connection)
    with op.batch_alter_table("warnings") as batch:
        batch.drop_index("ix_warnings_reporter_digest")
        batch.drop_column("reporter_sealed")
        batch.drop_column("reporter_digest")
        batch.create_foreign_key(
            _REPORTER_FK, "network_members", ["reporter_id"], ["id"], ondelete="SET NULL"
        )
        batch.create_index("ix_warnings_reporter_id", ["reporter_id"], unique=False)
    with op.batch_alter_table("check_counts") as batch:
        batch.drop_column("times_sealed")
        batch.alter_column("window_start", existing_type=UTCDateTime(), nullable=False)
        batch.alter_column("used", existing_type=sa.Integer(), nullable=False)


def _keyring() -> Keyring:
    master_key = context.config.attributes.get("master_key")
    if master_key is None:
        raise MasterKeyNeeded(
            "migration 0008 seals values of existing rows and needs the master key: "
            "run `companera migrate` with COMPANERA_MASTER_KEY set"
        )
    return Keyring(master_key)


def _keys(
    connection: sa.Connection, keyring: Keyring, table: sa.TableClause, owner: str
) -> dict[str, bytes]:
    rows = connection.execute(sa.select(table.c.id, table.c.key_wrapped))
    return {row_id: keyring.unwrap(wrapped, f"{owner}:{row_id}") for row_id, wrapped in rows}


def _seal_reporters(connection: sa.Connection) -> None:
    rows = connection.execute(
        sa.select(_WARNINGS.c.id, _WARNINGS.c.network_id, _WARNINGS.c.reporter_id).where(
            _WARNINGS.c.reporter_id.is_not(None)
        )
    ).all()
    if not rows:
        return
    keys = _keys(connection, _keyring(), _NETWORKS, "network")
    _update(
        connection,
        _WARNINGS,
        [
            {
                "row": w,
                "reporter_digest": reporter_digest(keys[n], r),
                "reporter_sealed": seal_reporter(keys[n], w, r),
            }
            for w, n, r in rows
        ],
    )


def _open_reporters(connection: sa.Connection) -> None:
    rows = connection.execute(
        sa.select(_WARNINGS.c.id, _WARNINGS.c.network_id, _WARNINGS.c.reporter_sealed).where(
            _WARNINGS.c.reporter_sealed.is_not(None)
        )
    ).all()
    if not rows:
        return
    keys = _keys(connection, _keyring(), _NETWORKS, "network")
    existing = set(connection.scalars(sa.select(_MEMBERSHIPS.c.id)))
    opened = [(w, open_reporter(keys[n], w, sealed)) for w, n, sealed in rows]
    _update(
        connection,
        _WARNINGS,
        [{"row": w, "reporter_id": r} for w, r in opened if r in existing],
    )


def _seal_checks(connection: sa.Connection, now: datetime) -> None:
    """Checks of a window still open count as made now; older rows go."""
    rows = connection.execute(
        sa.select(_CHECKS.c.member_id, _CHECKS.c.window_start, _CHECKS.c.used)
    ).all()
    recent = [(m, used) for m, start, used in rows if start > now - timedelta(hours=1) and used]
    connection.execute(
        _CHECKS.delete().where(_CHECKS.c.member_id.not_in([m for m, _ in recent]))
    )
    if not recent:
        return
    keys = _keys(connection, _keyring(), _MEMBERS, "member")
    _update(
        connection,
        _CHECKS,
        [
            {"row": m, "times_sealed": seal_check_times(keys[m], m, [now] * used)}
            for m, used in recent
        ],
        key="member_id",
    )


def _open_checks(connection: sa.Connection) -> None:
    rows = connection.execute(sa.select(_CHECKS.c.member_id, _CHECKS.c.times_sealed)).all()
    if not rows:
        return
    keys = _keys(connection, _keyring(), _MEMBERS, "member")
    opened = [(m, open_check_times(keys[m], m, sealed)) for m, sealed in rows]
    empty = [m for m, times in opened if not times]
    connection.execute(_CHECKS.delete().where(_CHECKS.c.member_id.in_(empty)))
    _update(
        connection,
        _CHECKS,
        [{"row": m, "window_start": min(t), "used": len(t)} for m, t in opened if t],
        key="member_id",
    )


def _update(
    connection: sa.Connection,
    table: sa.TableClause,
    rows: list[dict[str, Any]],
    key: str = "id",
) -> None:
    if not rows:
        return
    values: dict[str, Any] = {name: sa.bindparam(name) for name in rows[0] if name != "row"}
    connection.execute(
        table.update().where(table.c[key] == sa.bindparam("row")).values(**values), rows
    )
