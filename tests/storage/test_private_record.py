"""Her private record at rest: each entry sealed with her key, padded to a multiple of 512
bytes; whose it is only a keyed digest under her own key (never her id); another member's
key opens nothing, and one member cannot read or delete another's entries. On SQLite and on
PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.core.records import RecordEntry
from storage.crypto import CryptoError, Keyring, new_key
from storage.database import Database
from storage.models import RecordEntryRow
from storage.private_record import BLOCK, open_entry, seal_entry
from tests.support.db import migrated_engine

NOW = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=90)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    async with migrated_engine(tmp_path) as engine:
        database = Database(engine, Keyring(new_key()))
        await database.open()
        yield database


def entry(what: str) -> RecordEntry:
    return RecordEntry("e" * 32, NOW, NOW - timedelta(days=1), True, "Sitio Prueba", what, "")


def test_an_entry_seals_to_whole_blocks_whatever_its_length() -> None:
    key = new_key()
    short, longer = seal_entry(key, entry("x")), seal_entry(key, entry("x" * 300))
    assert len(short) == len(longer) == BLOCK + 28  # the nonce and tag on top of one block
    assert len(seal_entry(key, entry("ñ" * 1000))) % BLOCK == 28
    assert open_entry(key, "e" * 32, short) == entry("x")
    with pytest.raises(CryptoError):
        open_entry(key, "f" * 32, short)  # moved to another row: it does not open
    with pytest.raises(CryptoError):
        open_entry(new_key(), "e" * 32, short)


async def test_whose_entries_is_a_digest_and_nobody_else_reaches_them(db: Database) -> None:
    async with db.unit_of_work() as uow:
        ana = await uow.members.add(930_001, "es", "UTC", NOW)
        luz = await uow.members.add(930_002, "es", "UTC", NOW)
        mine = await uow.private_record.add(ana.id, entry("De Ana, prueba"), LATER)
        await uow.private_record.add(luz.id, entry("De Luz, prueba"), LATER)
        await uow.commit()
    assert mine is not None
    async with db.unit_of_work() as uow:
        rows = (await uow.session.execute(sa.select(RecordEntryRow))).scalars().all()
        assert len({row.owner_digest for row in rows}) == 2
        for row in rows:
            assert ana.id.encode() not in row.owner_digest + row.entry_sealed
            assert bytes.fromhex(ana.id) not in row.owner_digest
        assert not await uow.private_record.delete(luz.id, mine)  # not hers
        assert [e.what for e in await uow.private_record.of_member(luz.id, NOW)] == [
            "De Luz, prueba"
        ]
        assert [e.id for e in await uow.private_record.of_member(ana.id, NOW)] == [mine]
        assert await uow.private_record.of_member(ana.id, LATER) == []  # expired: not read
        assert await uow.private_record.purge(LATER) == 2
        await uow.commit()
