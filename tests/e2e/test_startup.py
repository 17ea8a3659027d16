"""Startup never fails because an optional call (the command menu) fails."""

from __future__ import annotations

from pathlib import Path

from bot.app import Companera
from bot.emulator import Emulator, Fault
from storage.crypto import new_key
from tests.e2e.conftest import make_settings
from tests.support.clock import FakeClock
from tests.support.db import fresh_database_url


async def test_bot_starts_and_answers_when_set_my_commands_fails(tmp_path: Path) -> None:
    async with fresh_database_url(tmp_path) as url, Emulator(rate_limits=False) as emulator:
        emulator.inject(Fault("server_error", method="setMyCommands", times=None))
        bot = Companera(make_settings(url, tmp_path, emulator), new_key(), FakeClock(), 1)
        await bot.start()
        try:
            ana = emulator.user("ana")
            await ana.send("/start")
            await ana.receives(containing="Compañera")
            assert emulator.requests["setMyCommands"] >= 1
            assert emulator.commands == {}
        finally:
            await bot.stop()


async def test_commands_are_published_in_spanish_and_english(tmp_path: Path) -> None:
    async with fresh_database_url(tmp_path) as url, Emulator(rate_limits=False) as emulator:
        bot = Companera(make_settings(url, tmp_path, emulator), new_key(), FakeClock(), 1)
        await bot.start()
        await bot.stop()
    spanish = {c["command"]: c["description"] for c in emulator.commands["es"]}
    english = {c["command"]: c["description"] for c in emulator.commands["en"]}
    assert emulator.commands[""] == emulator.commands["es"]  # the bot's default language
    assert spanish["cita"] == "Avisar antes de una cita"
    assert english["safe"].startswith("I'm safe")
