"""A kill -9 loses no alert, and a /safe sent while the bot was down counts as on time.
A kill -9 during an outage loses nothing; a crash between Telegram's acceptance and the
commit repeats the same alert, never a different one."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.notifications import Priority
from bot.emulator import Emulator, Fault
from storage.crypto import Keyring, new_key
from storage.database import Database, make_engine
from tests.e2e.conftest import join, link, short_checkin
from tests.support.catalog import said
from tests.support.db import fresh_database_url
from tests.support.processes import bot_env, bot_process, polling
from tests.support.settle import settle_process

pytestmark = pytest.mark.slow
GRACE_SECONDS = 2


async def test_kill_9_before_the_deadline_then_restart_after_it(tmp_path: Path) -> None:
    async with fresh_database_url(tmp_path) as url, Emulator() as emulator:
        env = bot_env(emulator, url, tmp_path, new_key(), CHECKIN_GRACE_SECONDS=str(GRACE_SECONDS))
        async with bot_process(env) as first:
            await polling(emulator)
            ana, bea, luz = await join(emulator, "ana", "bea", "luz")
            await link(ana, luz)
            await link(bea, luz)
            await short_checkin(ana, "Hotel Prueba, placa TEST-000")
            await ana.receives(containing=said("checkin.started"))
            await short_checkin(bea)
            await bea.receives(containing=said("checkin.started"))
            first.kill()  # SIGKILL: no chance to clean up
            await first.wait()
        await bea.send("/safe")  # on time, but nobody is there to read it yet
        await asyncio.sleep(60 + GRACE_SECONDS + 1)
        async with bot_process(env):
            alert = await luz.receives(
                containing=said("alert.missed.title", alias="Ana"), timeout=20
            )
            assert "TEST-000" in alert.text
            await bea.receives(containing=said("checkin.safe"), timeout=20)
            await settle_process(emulator, url)
            await luz.receives_nothing()
        assert not [m for m in luz.inbox() if "ALERTA: Bea" in (m.text or "")]


async def pending_alerts(url: str, key: bytes) -> int:
    """Alerts waiting in the outbox, read the way an operator would: with the key."""
    db = Database(make_engine(url), Keyring(key))
    try:
        await db.open()
        async with db.unit_of_work() as uow:
            items = await uow.outbox.peek(datetime.now(UTC) + timedelta(days=1), 100)
        return sum(item.priority == Priority.ALERT for item in items)
    finally:
        await db.close()


async def test_kill_9_during_an_outage_and_at_the_worst_moment(tmp_path: Path) -> None:
    async with fresh_database_url(tmp_path) as url, Emulator() as emulator:
        key = new_key()
        env = bot_env(emulator, url, tmp_path, key, CHECKIN_GRACE_SECONDS=str(GRACE_SECONDS))
        async with bot_process(env) as first:
            await polling(emulator)
            ana, luz = await join(emulator, "ana", "luz")
            await link(ana, luz)
            await short_checkin(ana, "Hotel Prueba, placa TEST-000")
            await ana.receives(containing=said("checkin.started"))
            await ana.receives(containing=said("checkin.details_saved_deleted"))
            emulator.outage()  # Telegram unreachable from here on
            deadline = time.monotonic() + 90
            while not await pending_alerts(url, key):  # due during the outage: queued
                assert time.monotonic() < deadline, "no alert was queued"
                await asyncio.sleep(1)
            first.kill()  # during the outage
            await first.wait()

        async with bot_process(env) as second:
            await asyncio.sleep(2)  # it starts while Telegram is still down
            emulator.end_outage()
            # Telegram takes the alert, but the bot dies before it learns so.
            emulator.inject(Fault("accepted_no_answer", method="sendMessage", chat_id=luz.chat_id))
            alert = await luz.receives(
                containing=said("alert.missed.title", alias="Ana"), timeout=30
            )
            second.kill()
            await second.wait()
        assert await pending_alerts(url, key) == 1  # not marked sent: it will go again

        async with bot_process(env):
            again = await luz.receives(
                containing=said("alert.missed.title", alias="Ana"), timeout=30
            )
            await ana.receives(containing=said("checkin.alert_sent", count=1), timeout=30)
            await settle_process(emulator, url)
            await luz.receives_nothing()
        assert again.text == alert.text and "TEST-000" in alert.text
        assert again.reply_markup == alert.reply_markup
        alerts = [m for m in luz.inbox() if "ALERTA" in (m.text or "")]
        assert len(alerts) == 2  # the same alert twice, at worst; never a different one
        assert await pending_alerts(url, key) == 0
