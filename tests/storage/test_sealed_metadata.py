"""A check-in's alarm kind, wrong PINs and who acknowledged it, a member's discreet mode and
form of address, and the outbox's idempotency keys: sealed (or a digest), each of one length
whatever it holds, and sealed by migration 0010 in the rows that held them in clear. On
SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.core.records import Address, Alarm, CheckIn, Stage, Status, new_id
from storage.checkins import seal_state
from storage.crypto import Keyring, new_key, seal_text
from storage.database import Database, WrongKeyError, make_engine
from storage.members import seal_settings
from storage.migrate import downgrade, upgrade
from storage.models import UTCDateTime
from tests.support.db import fresh_database_url, migrated_engine

NOW = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
WORKER, CONTACT = 920_001, 920_002  # fake Telegram ids


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    async with migrated_engine(tmp_path) as engine:
        database = Database(engine, Keyring(new_key()))
        await database.open()
        yield database


def test_every_state_and_setting_seals_to_one_length() -> None:
    key, ack = new_key(), new_id()
    states = {
        len(seal_state(key, new_id(), alarm, tries, who))
        for alarm in [None, *Alarm]
        for tries in (0, 2)
        for who in (None, ack)
    }
    states |= {  # a drill (/simulacro), private or not, with everyone who answered it
        len(seal_state(key, new_id(), alarm, 0, None, drill=(alarm, private, acks)))
        for alarm in Alarm
        for private in (False, True)
        for acks in ((), tuple(new_id() for _ in range(12)))
    }
    assert len(states) == 1
    settings = {
        len(
            seal_settings(
                key, new_id(), discreet, address, legal_support=on, checklist=on, share_partners=on
            )
        )
        for discreet in (False, True)
        for address in Address
        for on in (False, True)
    }
    assert len(settings) == 1


async def test_a_checkin_keeps_its_sealed_state_and_loses_a_removed_acknowledger(
    db: Database,
) -> None:
    async with db.unit_of_work() as uow:
        worker = await uow.members.add(WORKER, "es", "UTC", NOW)
        contact = await uow.members.add(CONTACT, "es", "UTC", NOW)
        link = await uow.contacts.add(worker.id, contact.id, None, NOW)
        checkin = CheckIn(
            id=new_id(),
            member_id=worker.id,
            status=Status.ALERTED,
            stage=Stage.ALERTED,
            started_at=NOW,
            deadline_at=NOW,
            next_action_at=NOW + timedelta(minutes=10),
            alerted_at=NOW,
            alerts_sent=1,
            alarm=Alarm.DURESS,
            pin_tries=2,
        )
        await uow.checkins.add(checkin)
        await uow.checkins.erase_details(checkin.id)  # the state outlives the check-in's key
        await uow.commit()
    async with db.unit_of_work() as uow:
        read = await uow.checkins.get(checkin.id)
        assert read is not None
        assert (read.alarm, read.pin_tries, read.acknowledged_by) == (Alarm.DURESS, 2, None)
        await uow.checkins.save(read.__class__(**{**read.__dict__, "acknowledged_by": link.id}))
        # A duress alarm is no check-in of hers: her chat sees none running.
        assert await uow.checkins.open_for(worker.id) is None
        await uow.commit()
    async with db.unit_of_work() as uow:
        read = await uow.checkins.get(checkin.id)
        assert read is not None and read.acknowledged_by == link.id
        await uow.contacts.remove(link.id)
        await uow.commit()
    async with db.unit_of_work() as uow:
        read = await uow.checkins.get(checkin.id)
        assert read is not None and read.acknowledged_by is None  # as SET NULL did
        assert (read.alarm, read.pin_tries) == (Alarm.DURESS, 2)


_MEMBERS = sa.table(
    "members",
    sa.column("id", sa.String),
    sa.column("telegram_index", sa.LargeBinary),
    sa.column("key_wrapped", sa.LargeBinary),
    sa.column("chat_sealed", sa.LargeBinary),
    sa.column("language", sa.String),
    sa.column("timezone", sa.String),
    sa.column("created_at", UTCDateTime()),
    sa.column("last_seen_at", UTCDateTime()),
    sa.column("discreet", sa.Boolean),
    sa.column("address", sa.String),
)
_CONTACTS = sa.table(
    "contacts",
    sa.column("id", sa.String),
    sa.column("worker_id", sa.String),
    sa.column("contact_id", sa.String),
    sa.column("created_at", UTCDateTime()),
)
_CHECKINS = sa.table(
    "checkins",
    sa.column("id", sa.String),
    sa.column("member_id", sa.String),
    sa.column("status", sa.String),
    sa.column("stage", sa.String),
    sa.column("started_at", UTCDateTime()),
    sa.column("deadline_at", UTCDateTime()),
    sa.column("alerted_at", UTCDateTime()),
    sa.column("alerts_sent", sa.Integer),
    sa.column("acknowledged_by", sa.String),
    sa.column("alarm", sa.String),
    sa.column("pin_tries", sa.Integer),
)
_OUTBOX = sa.table(
    "outbox",
    sa.column("id", sa.String),
    sa.column("idempotency_key", sa.String),
    sa.column("recipient_id", sa.String),
    sa.column("priority", sa.Integer),
    sa.column("status", sa.String),
    sa.column("attempts", sa.Integer),
    sa.column("not_before", UTCDateTime()),
    sa.column("created_at", UTCDateTime()),
)
_SYSTEM_KEYS = sa.table(
    "system_keys",
    sa.column("name", sa.String),
    sa.column("wrapped", sa.LargeBinary),
    sa.column("created_at", UTCDateTime()),
)


async def test_migration_0010_seals_what_rows_held_in_clear_and_needs_the_key(
    tmp_path: Path,
) -> None:
    master = new_key()
    keyring = Keyring(master)
    worker, contact, link, checkin = new_id(), new_id(), new_id(), new_id()
    clear_key = f"{checkin}:1772474400:duress:1:{link}"
    async with fresh_database_url(tmp_path) as url:
        engine = make_engine(url)
        try:
            await upgrade(engine, "0009")
            async with engine.begin() as connection:
                wrapped_root = keyring.wrap(new_key(), "system:index")
                keyring.load_index_root(wrapped_root)
                await connection.execute(
                    _SYSTEM_KEYS.insert().values(
                        name="index", wrapped=wrapped_root, created_at=NOW
                    )
                )
                for member_id, user, discreet, address in (
                    (worker, WORKER, True, "he"),
                    (contact, CONTACT, False, "she"),
                ):
                    key = new_key()
                    await connection.execute(
                        _MEMBERS.insert().values(
                            id=member_id,
                            telegram_index=keyring.blind_index("telegram-user", str(user)),
                            key_wrapped=keyring.wrap(key, f"member:{member_id}"),
                            chat_sealed=seal_text(key, str(user), f"members:chat:{member_id}"),
                            language="es",
                            timezone="UTC",
                            created_at=NOW,
                            last_seen_at=NOW,
                            discreet=discreet,
                            address=address,
                        )
                    )
                await connection.execute(
                    _CONTACTS.insert().values(
                        id=link, worker_id=worker, contact_id=contact, created_at=NOW
                    )
                )
                await connection.execute(
                    _CHECKINS.insert().values(
                        id=checkin,
                        member_id=worker,
                        status="alerted",
                        stage="alerted",
                        started_at=NOW,
                        deadline_at=NOW,
                        alerted_at=NOW,
                        alerts_sent=1,
                        acknowledged_by=link,
                        alarm="duress",
                        pin_tries=2,
                    )
                )
                await connection.execute(
                    _OUTBOX.insert().values(
                        id=new_id(),
                        idempotency_key=clear_key,
                        recipient_id=contact,
                        priority=1,
                        status="pending",
                        attempts=0,
                        not_before=NOW,
                        created_at=NOW,
                    )
                )

            # Without the key nothing changes: the rows still hold what they held.
            with pytest.raises(RuntimeError, match="master key"):
                await upgrade(engine)
            async with engine.connect() as connection:
                version = await connection.scalar(
                    sa.text("SELECT version_num FROM alembic_version")
                )
                alarm = await connection.scalar(sa.select(_CHECKINS.c.alarm))
            assert (version, alarm) == ("0009", "duress")
            with pytest.raises(WrongKeyError):  # a wrong key: refused, not a traceback
                await upgrade(engine, master_key=new_key())

            await upgrade(engine, master_key=master)
            async with engine.connect() as connection:
                columns = await connection.run_sync(
                    lambda c: {
                        table: {col["name"] for col in sa.inspect(c).get_columns(table)}
                        for table in ("members", "checkins")
                    }
                )
                stored_key = await connection.scalar(sa.select(_OUTBOX.c.idempotency_key))
            assert not columns["members"] & {"discreet", "address"}
            assert not columns["checkins"] & {"alarm", "pin_tries", "acknowledged_by"}
            assert stored_key != clear_key and "duress" not in stored_key

            database = Database(engine, Keyring(master))
            await database.open()
            async with database.unit_of_work() as uow:
                he = await uow.members.get(worker)
                she = await uow.members.get(contact)
                read = await uow.checkins.get(checkin)
                # A message queued before the upgrade is not queued twice after it.
                added = await uow.outbox.add(clear_key, contact, 1, {"kind": "x"}, NOW)
            assert he is not None and (he.discreet, he.address) == (True, Address.HE)
            assert she is not None and (she.discreet, she.address) == (False, Address.SHE)
            assert read is not None
            assert (read.alarm, read.pin_tries, read.acknowledged_by) == (Alarm.DURESS, 2, link)
            assert added is False

            await downgrade(engine, "0009", master_key=master)
            async with engine.connect() as connection:
                row = (
                    await connection.execute(
                        sa.select(
                            _CHECKINS.c.alarm, _CHECKINS.c.pin_tries, _CHECKINS.c.acknowledged_by
                        )
                    )
                ).one()
                settings = (
                    await connection.execute(
                        sa.select(_MEMBERS.c.discreet, _MEMBERS.c.address).where(
                            _MEMBERS.c.id == worker
                        )
                    )
                ).one()
            assert tuple(row) == ("duress", 2, link)
            assert (bool(settings[0]), settings[1]) == (True, "he")
        finally:
            await engine.dispose()
