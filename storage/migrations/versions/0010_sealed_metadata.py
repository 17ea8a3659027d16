"""Check-in and member metadata sealed; the outbox's idempotency keys kept as digests

A copy of the database without the key no longer shows a check-in's alarm kind, its wrong
PINs or which contact acknowledged it (`checkins.state_sealed`, under her data key), nor her
discreet mode or form of address (`members.settings_sealed`), nor the outbox's idempotency
keys, which name rows and an alert's kind (now a blind index, in hex).

Existing rows are sealed here, in the same transaction that drops the clear columns: no
clear copy is left anywhere. That needs the master key, which `storage.migrate.upgrade`
hands in (`companera run` and `companera migrate` always do); a database with rows to seal
and no key refuses the upgrade and changes nothing. Downgrading opens the values again, with
the key; the idempotency digests stay digests (they only have to be unique).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import context, op

from storage.checkins import open_state, seal_state
from storage.crypto import CryptoError, Keyring
from storage.database import INDEX_KEY, WrongKeyError
from storage.members import open_settings, seal_settings
from storage.outbox import idempotency_digest

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_MEMBERS = sa.table(
    "members",
    sa.column("id", sa.String),
    sa.column("key_wrapped", sa.LargeBinary),
    sa.column("discreet", sa.Boolean),
    sa.column("address", sa.String),
    sa.column("settings_sealed", sa.LargeBinary),
)
_CHECKINS = sa.table(
    "checkins",
    sa.column("id", sa.String),
    sa.column("member_id", sa.String),
    sa.column("alarm", sa.String),
    sa.column("pin_tries", sa.Integer),
    sa.column("acknowledged_by", sa.String),
    sa.column("state_sealed", sa.LargeBinary),
)
_OUTBOX = sa.table("outbox", sa.column("id", sa.String), sa.column("idempotency_key", sa.String))
_SYSTEM_KEYS = sa.table(
    "system_keys", sa.column("name", sa.String), sa.column("wrapped", sa.LargeBinary)
)
_ACK_FK = "fk_checkins_acknowledged_by_contacts"


class MasterKeyNeeded(RuntimeError):
    """Rows must be sealed or opened, and no master key was handed in."""


def upgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.add_column(sa.Column("settings_sealed", sa.LargeBinary(), nullable=True))
    with op.batch_alter_table("checkins") as batch:
        batch.add_column(sa.Column("state_sealed", sa.LargeBinary(), nullable=True))
    connection = op.get_bind()
    _seal_rows(connection)
    # No table refers to check-ins: SQLite's batch mode may copy this one.
    with op.batch_alter_table("checkins") as batch:
        batch.drop_constraint(_ACK_FK, type_="foreignkey")
        batch.drop_column("acknowledged_by")
        batch.drop_column("alarm")
        batch.drop_column("pin_tries")
    _drop_member_columns("discreet", "address")


def downgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.add_column(sa.Column("discreet", sa.Boolean(), server_default="0", nullable=False))
        batch.add_column(
            sa.Column("address", sa.String(length=8), server_default="neutral", nullable=False)
        )
    with op.batch_alter_table("checkins") as batch:
        batch.add_column(sa.Column("acknowledged_by", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("alarm", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("pin_tries", sa.Integer(), server_default="0", nullable=False))
    _open_rows(op.get_bind())
    with op.batch_alter_table("checkins") as batch:
        batch.create_foreign_key(
            _ACK_FK, "contacts", ["acknowledged_by"], ["id"], ondelete="SET NULL"
        )
        batch.drop_column("state_sealed")
    _drop_member_columns("settings_sealed")


def _drop_member_columns(*names: str) -> None:
    """On SQLite, batch mode would copy `members` and drop the old table, and dropping it
    deletes every row that refers to a member (ON DELETE CASCADE): her contacts, check-ins,
    messages. SQLite drops a plain column in place instead (3.35 and later)."""
    for name in names:
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"ALTER TABLE members DROP COLUMN {name}")
        else:
            op.drop_column("members", name)


def _keyring(connection: sa.Connection, needed: bool) -> Keyring | None:
    if not needed:
        return None
    master_key = context.config.attributes.get("master_key")
    if master_key is None:
        raise MasterKeyNeeded(
            "migration 0010 seals values of existing rows and needs the master key: "
            "run `companera migrate` with COMPANERA_MASTER_KEY set"
        )
    keyring = Keyring(master_key)
    wrapped = connection.scalar(
        sa.select(_SYSTEM_KEYS.c.wrapped).where(_SYSTEM_KEYS.c.name == INDEX_KEY)
    )
    if wrapped is not None:
        try:
            keyring.load_index_root(wrapped)
        except CryptoError:
            raise WrongKeyError("the master key does not open this database") from None
    return keyring


def _member_keys(connection: sa.Connection, keyring: Keyring) -> dict[str, bytes]:
    rows = connection.execute(sa.select(_MEMBERS.c.id, _MEMBERS.c.key_wrapped))
    return {
        member_id: keyring.unwrap(wrapped, f"member:{member_id}") for member_id, wrapped in rows
    }


def _count(connection: sa.Connection, table: sa.TableClause) -> int:
    return int(connection.scalar(sa.select(sa.func.count()).select_from(table)) or 0)


def _seal_rows(connection: sa.Connection) -> None:
    members, outbox = _count(connection, _MEMBERS), _count(connection, _OUTBOX)
    keyring = _keyring(connection, members + outbox > 0)
    if keyring is None:
        return
    keys = _member_keys(connection, keyring)
    member_rows = connection.execute(
        sa.select(_MEMBERS.c.id, _MEMBERS.c.discreet, _MEMBERS.c.address)
    ).all()
    _update(
        connection,
        _MEMBERS,
        [
            {"row": m, "settings_sealed": seal_settings(keys[m], m, bool(discreet), address)}
            for m, discreet, address in member_rows
        ],
    )
    checkin_rows = connection.execute(
        sa.select(
            _CHECKINS.c.id,
            _CHECKINS.c.member_id,
            _CHECKINS.c.alarm,
            _CHECKINS.c.pin_tries,
            _CHECKINS.c.acknowledged_by,
        )
    ).all()
    _update(
        connection,
        _CHECKINS,
        [
            {"row": c, "state_sealed": seal_state(keys[m], c, alarm, tries or 0, ack)}
            for c, m, alarm, tries, ack in checkin_rows
        ],
    )
    if outbox:
        outbox_rows = connection.execute(sa.select(_OUTBOX.c.id, _OUTBOX.c.idempotency_key))
        _update(
            connection,
            _OUTBOX,
            [
                {"row": o, "idempotency_key": idempotency_digest(keyring, key)}
                for o, key in outbox_rows.all()
            ],
        )


def _open_rows(connection: sa.Connection) -> None:
    keyring = _keyring(connection, _count(connection, _MEMBERS) > 0)
    if keyring is None:
        return
    keys = _member_keys(connection, keyring)
    member_rows = connection.execute(sa.select(_MEMBERS.c.id, _MEMBERS.c.settings_sealed))
    opened = []
    for m, sealed in member_rows.all():
        discreet, address = open_settings(keys[m], m, sealed)
        opened.append({"row": m, "discreet": discreet, "address": str(address)})
    _update(connection, _MEMBERS, opened)
    checkin_rows = connection.execute(
        sa.select(_CHECKINS.c.id, _CHECKINS.c.member_id, _CHECKINS.c.state_sealed)
    )
    states = []
    for c, m, sealed in checkin_rows.all():
        alarm, tries, ack = open_state(keys[m], c, sealed)
        states.append({"row": c, "alarm": alarm, "pin_tries": tries, "acknowledged_by": ack})
    _update(connection, _CHECKINS, states)
    # A contact removed while sealed left its id behind; the foreign key wants none.
    op.execute(
        "UPDATE checkins SET acknowledged_by = NULL WHERE acknowledged_by IS NOT NULL "
        "AND acknowledged_by NOT IN (SELECT id FROM contacts)"
    )


def _update(connection: sa.Connection, table: sa.TableClause, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    values: dict[str, Any] = {name: sa.bindparam(name) for name in rows[0] if name != "row"}
    connection.execute(
        table.update().where(table.c.id == sa.bindparam("row")).values(**values), rows
    )
