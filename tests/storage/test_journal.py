"""SQLite's write-ahead log keeps earlier copies of pages: after a transaction that erased
something it is emptied into the database file, with the pool the bot uses. A reader in
the middle of a transaction holds that back; the next commit empties it then. PostgreSQL
has no such file of ours (docs/threat-model.md says what it keeps)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage.crypto import Keyring, new_key
from storage.database import Database
from tests.support.db import backend, migrated_engine

NOW = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)

pytestmark = pytest.mark.skipif(backend() != "sqlite", reason="SQLite's own files")


async def test_erasing_empties_the_log_and_a_reader_only_delays_it(tmp_path: Path) -> None:
    log = tmp_path / "companera.db-wal"
    async with migrated_engine(tmp_path) as engine:
        db = Database(engine, Keyring(new_key()))
        await db.open()
        db.journal.wait_ms = 50
        async with db.unit_of_work() as uow:
            ana = await uow.members.add(910_001, "es", "UTC", NOW)
            await uow.members.add(910_002, "es", "UTC", NOW)
            await uow.commit()
        assert log.stat().st_size > 0  # nothing was erased: the log goes on

        reader = sqlite3.connect(tmp_path / "companera.db")
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM members").fetchone() == (2,)
        async with db.unit_of_work() as uow:
            assert await uow.members.delete(ana.id)
            await uow.commit()
        assert db.journal.pending and log.stat().st_size > 0  # the reader still reads it

        reader.rollback()
        async with db.unit_of_work() as uow:  # the next commit, of anything
            await uow.commit()
        assert not db.journal.pending and log.stat().st_size == 0
        reader.close()
        await db.close()
