"""An emulator per test, and a python-telegram-bot `Bot` that talks to it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from telegram import Bot

from bot.emulator import Emulator


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    """Rate limits off: tests of the limits make their own emulator."""
    async with Emulator(rate_limits=False) as emulator:
        yield emulator


@pytest.fixture
async def bot(emu: Emulator) -> AsyncIterator[Bot]:
    async with Bot(emu.token, base_url=emu.base_url) as client:
        yield client


def seconds(period: int | float | timedelta) -> float:
    """A time period from python-telegram-bot (an int or a timedelta), in seconds."""
    return period.total_seconds() if isinstance(period, timedelta) else float(period)
