"""Partners' notes in storage: sealed with the check-in's own key, bound to its row; gone when
her details expire (24 h after the alert), when she is safe, and when their author is
forgotten. On SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.core.records import CheckIn, Location, PartnerNote, Stage, Status, new_id
from storage.crypto import CryptoError, Keyring, new_key
from storage.database import Database
from tests.support.db import migrated_engine

NOW = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
WORKER, EVA, ANA = 930_001, 930_002, 930_003  # fake Telegram ids
PLATE = "placa TEST-3141"


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    async with migrated_engine(tmp_path) as engine:
        database = Database(engine, Keyring(new_key()))
        await database.open()
        yield database


def running(member_id: str, alerted: datetime | None = None) -> CheckIn:
    return CheckIn(
        id=new_id(),
        member_id=member_id,
        status=Status.ALERTED if alerted else Status.ACTIVE,
        stage=Stage.NONE,
        started_at=NOW,
        deadline_at=NOW + timedelta(hours=1),
        next_action_at=NOW + timedelta(hours=1),
        alerted_at=alerted,
        details="Motel Prueba",
    )


def note(author_id: str, text: str, pin: Location | None = None) -> PartnerNote:
    return PartnerNote(author_id, "Eva", text, pin, NOW)


async def sealed_notes(db: Database) -> list[bytes | None]:
    async with db.engine.connect() as connection:
        rows = await connection.execute(sa.text("SELECT notes_sealed FROM checkins"))
        return [row[0] for row in rows]


async def test_notes_are_sealed_with_the_checkins_key_and_bound_to_its_row(db: Database) -> None:
    async with db.unit_of_work() as uow:
        worker = await uow.members.add(WORKER, "es", "UTC", NOW)
        eva = await uow.members.add(EVA, "es", "UTC", NOW)
        first, second = running(worker.id), running(worker.id)
        for checkin in (first, second):
            await uow.checkins.add(checkin)
        assert await uow.notes.add(first.id, note(eva.id, PLATE, Location(19.4, -99.1)))
        await uow.commit()
    (sealed,) = [value for value in await sealed_notes(db) if value]
    assert PLATE.encode() not in bytes(sealed) and eva.id.encode() not in bytes(sealed)
    async with db.unit_of_work() as uow:
        (read,) = await uow.notes.of_checkin(first.id)
        assert (read.author_id, read.text, read.location) == (eva.id, PLATE, Location(19.4, -99.1))
        session = uow.session  # type: ignore[attr-defined]
        await session.execute(  # copied onto another check-in's row, it does not open
            sa.text("UPDATE checkins SET notes_sealed = :v WHERE id = :id"),
            {"v": sealed, "id": second.id},
        )
        with pytest.raises(CryptoError):
            await uow.notes.of_checkin(second.id)


async def test_notes_go_with_her_details_and_with_their_author(db: Database) -> None:
    async with db.unit_of_work() as uow:
        worker = await uow.members.add(WORKER, "es", "UTC", NOW)
        eva = await uow.members.add(EVA, "es", "UTC", NOW)
        ana = await uow.members.add(ANA, "es", "UTC", NOW)
        safe, alerted, other = running(worker.id), running(worker.id, NOW), running(worker.id)
        for checkin in (safe, alerted, other):
            await uow.checkins.add(checkin)
            await uow.notes.add(checkin.id, note(eva.id, PLATE))
        await uow.notes.add(other.id, note(ana.id, "carro gris"))
        await uow.commit()
    assert sum(value is not None for value in await sealed_notes(db)) == 3
    async with db.unit_of_work() as uow:
        await uow.checkins.erase_details(safe.id)  # "I'm safe"
        await uow.checkins.purge(NOW + timedelta(hours=24), NOW - timedelta(days=7))  # expired
        assert await uow.notes.drop_by(eva.id) == 1  # Eva used /forget: hers go, not Ana's
        await uow.commit()
    async with db.unit_of_work() as uow:
        assert await uow.notes.of_checkin(safe.id) == []
        assert await uow.notes.of_checkin(alerted.id) == []
        assert [n.text for n in await uow.notes.of_checkin(other.id)] == ["carro gris"]
        assert not await uow.notes.add(safe.id, note(ana.id, "tarde"))  # her details are gone
    assert sum(value is not None for value in await sealed_notes(db)) == 1
