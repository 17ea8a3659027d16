"""A kill -9 in the middle of an update loses nothing and doubles nothing: the update is
acknowledged to Telegram only once its effects are committed, and it is recorded as handled
in the same transaction. Killed before the commit, nothing of it is kept and the redelivered
update does everything; killed after the commit but before the acknowledgement, the
redelivered update is recognised and does nothing more."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.emulator import Emulator
from storage.crypto import Keyring, new_key
from storage.database import Database, make_engine
from storage.models import CheckInRow
from tests.e2e.conftest import join, link
from tests.support.catalog import said
from tests.support.db import fresh_database_url
from tests.support.processes import acknowledged, bot_env, bot_process, polling

pytestmark = pytest.mark.slow
CHECKIN = "/checkin 45m Hotel Prueba hab 12, placa TEST-000"


async def checkins_stored(url: str, key: bytes) -> int:
    db = Database(make_engine(url), Keyring(key))
    try:
        await db.open()
        async with db.unit_of_work() as uow:
            return int(await uow.session.scalar(select(func.count()).select_from(CheckInRow)) or 0)
    finally:
        await db.close()


@pytest.mark.parametrize("moment", ["before_commit", "after_commit"])
async def test_killed_in_the_middle_of_an_update(tmp_path: Path, moment: str) -> None:
    async with fresh_database_url(tmp_path) as url, Emulator() as emulator:
        key = new_key()
        env = bot_env(emulator, url, tmp_path, key, COMPANERA_TEST_CRASH=moment)
        async with bot_process(env, "tests.support.crashing_bot") as crashing:
            await polling(emulator)
            ana, luz = await join(emulator, "ana", "luz")
            await link(ana, luz)
            await ana.send(CHECKIN)
            assert await asyncio.wait_for(crashing.wait(), 30) != 0  # it died on the update
        stored = await checkins_stored(url, key)
        assert stored == (0 if moment == "before_commit" else 1)
        assert emulator.updates.pending, "the update was acknowledged before its commit"

        async with bot_process(env):
            await polling(emulator)
            await ana.receives(containing=said("checkin.started"), timeout=30)
            await ana.receives(containing=said("checkin.details_saved_deleted"), timeout=30)
            await acknowledged(emulator)
        assert await checkins_stored(url, key) == 1
        texts = [m.text or "" for m in ana.inbox()]
        assert sum(said("checkin.started") in text for text in texts) == 1
        assert not any(said("checkin.error.running") in text for text in texts)
