"""A kill -9 in the middle of an update loses nothing and doubles nothing: the update is
acknowledged to Telegram only once its effects are committed, and it is recorded as handled
in the same transaction. Killed before the commit, nothing of it is kept and the redelivered
update does everything; killed after the commit but before the acknowledgement, the
redelivered update is recognised and does nothing more."""

from __future__ import annotations

import asyncio
import base64
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
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

pytestmark = pytest.mark.slow
CHECKIN = "/checkin 45m Hotel Prueba hab 12, placa TEST-000"


@asynccontextmanager
async def process(env: dict[str, str], module: str) -> AsyncIterator[asyncio.subprocess.Process]:
    """The bot in a subprocess (`module` is bot.cli or the crashing one); killed at the end
    if it is still running."""
    args = ["run"] if module == "bot.cli" else []
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        module,
        *args,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        yield child
    finally:
        if child.returncode is None:
            child.kill()
        await child.wait()


async def checkins_stored(url: str, key: bytes) -> int:
    db = Database(make_engine(url), Keyring(key))
    try:
        await db.open()
        async with db.unit_of_work() as uow:
            return int(await uow.session.scalar(select(func.count()).select_from(CheckInRow)) or 0)
    finally:
        await db.close()


async def acknowledged(emulator: Emulator, timeout: float = 30.0) -> None:
    """Wait until the bot has acknowledged every update (the next getUpdates does it)."""
    async with asyncio.timeout(timeout):
        while emulator.updates.pending:  # noqa: ASYNC110 (the emulator's state, polled)
            await asyncio.sleep(0.05)


async def polling(emulator: Emulator, timeout: float = 60.0) -> None:
    """Wait until a newly started bot polls: it is up, however slow the machine."""
    seen = emulator.requests["getUpdates"]
    async with asyncio.timeout(timeout):
        while emulator.requests["getUpdates"] <= seen:  # noqa: ASYNC110 (as above)
            await asyncio.sleep(0.05)


@pytest.mark.parametrize("moment", ["before_commit", "after_commit"])
async def test_killed_in_the_middle_of_an_update(tmp_path: Path, moment: str) -> None:
    async with fresh_database_url(tmp_path) as url, Emulator() as emulator:
        key = new_key()
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": emulator.token,
            "TELEGRAM_API_URL": emulator.base_url,
            "DATABASE_URL": url,
            "COMPANERA_DATA_DIR": str(tmp_path),
            "COMPANERA_MASTER_KEY": base64.b64encode(key).decode(),
            "COMPANERA_TEST_CRASH": moment,
        }
        async with process(env, "tests.support.crashing_bot") as crashing:
            await polling(emulator)
            ana, luz = await join(emulator, "ana", "luz")
            await link(ana, luz)
            await ana.send(CHECKIN)
            assert await asyncio.wait_for(crashing.wait(), 30) != 0  # it died on the update
        stored = await checkins_stored(url, key)
        assert stored == (0 if moment == "before_commit" else 1)
        assert emulator.updates.pending, "the update was acknowledged before its commit"

        async with process(env, "bot.cli"):
            await polling(emulator)
            await ana.receives(containing=said("checkin.started"), timeout=30)
            await ana.receives(containing=said("checkin.details_saved_deleted"), timeout=30)
            await acknowledged(emulator)
        assert await checkins_stored(url, key) == 1
        texts = [m.text or "" for m in ana.inbox()]
        assert sum(said("checkin.started") in text for text in texts) == 1
        assert not any(said("checkin.error.running") in text for text in texts)
