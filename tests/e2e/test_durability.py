"""A kill -9 loses no alert, and a /safe sent while the bot was down counts as on time."""

from __future__ import annotations

import asyncio
import base64
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bot.emulator import Emulator
from storage.crypto import new_key
from tests.e2e.conftest import join, link
from tests.support.db import fresh_database_url

pytestmark = pytest.mark.slow
GRACE_SECONDS = 2


@asynccontextmanager
async def bot_process(env: dict[str, str]) -> AsyncIterator[asyncio.subprocess.Process]:
    """`companera run` in a subprocess; killed with SIGKILL if the test has not already."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "run",
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()


async def test_kill_9_before_the_deadline_then_restart_after_it(tmp_path: Path) -> None:
    async with fresh_database_url(tmp_path) as url, Emulator() as emulator:
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": emulator.token,
            "TELEGRAM_API_URL": emulator.base_url,
            "DATABASE_URL": url,
            "COMPANERA_DATA_DIR": str(tmp_path),
            "COMPANERA_MASTER_KEY": base64.b64encode(new_key()).decode(),
            "CHECKIN_GRACE_SECONDS": str(GRACE_SECONDS),
        }
        async with bot_process(env) as first:
            ana, bea, luz = await join(emulator, "ana", "bea", "luz")
            await link(ana, luz)
            await link(bea, luz)
            await ana.send("/checkin 1m Hotel Prueba, placa TEST-000")
            await ana.receives(containing="tienes hasta las")
            await bea.send("/checkin 1m")
            await bea.receives(containing="tienes hasta las")
            first.kill()  # SIGKILL: no chance to clean up
            await first.wait()
        await bea.send("/safe")  # on time, but nobody is there to read it yet
        await asyncio.sleep(60 + GRACE_SECONDS + 1)
        async with bot_process(env):
            alert = await luz.receives(containing="ALERTA: Ana", timeout=20)
            assert "TEST-000" in alert.text
            await bea.receives(containing="Temporizador detenido", timeout=20)
            await luz.receives_nothing(within=2)
        assert not [m for m in luz.inbox() if "ALERTA: Bea" in (m.text or "")]
