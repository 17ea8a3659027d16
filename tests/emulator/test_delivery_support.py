"""What the delivery tests need from the emulator: groups and their limit, latency,
open-ended outages, an accepted message whose answer never comes, and peak rates."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.error import NetworkError, RetryAfter
from telegram.request import HTTPXRequest

from bot.emulator import Emulator, Fault
from tests.emulator.conftest import seconds


@pytest.fixture
async def limited() -> AsyncIterator[Emulator]:
    async with Emulator() as emulator:
        yield emulator


@pytest.fixture
async def limited_bot(limited: Emulator) -> AsyncIterator[Bot]:
    request = HTTPXRequest(connection_pool_size=16, read_timeout=1.0)
    async with Bot(limited.token, base_url=limited.base_url, request=request) as client:
        yield client


async def test_a_group_takes_20_messages_a_minute(limited: Emulator, limited_bot: Bot) -> None:
    group = limited.group("Colectiva de prueba")
    assert group < 0
    for n in range(20):
        limited.gate._global.tokens = 30  # only the group's limit is under test here
        await limited_bot.send_message(group, f"m{n}")
    with pytest.raises(RetryAfter) as refused:
        await limited_bot.send_message(group, "one too many")
    assert 55 <= seconds(refused.value.retry_after) <= 60
    assert len(limited.inbox(group)) == 20
    assert limited.peak_rate(60.0, chat_id=group) == 20


async def test_latency_delays_every_answer(emu: Emulator, bot: Bot) -> None:
    ana = emu.user("ana")
    emu.latency = 0.2
    started = time.monotonic()
    await bot.send_message(ana.chat_id, "hola")
    assert time.monotonic() - started >= 0.2
    emu.latency = 0.0
    started = time.monotonic()
    await bot.send_message(ana.chat_id, "hola")
    assert time.monotonic() - started < 0.2


async def test_an_open_ended_outage_lasts_until_it_is_ended(emu: Emulator, bot: Bot) -> None:
    ana = emu.user("ana")
    emu.outage()
    assert emu.in_outage
    await asyncio.sleep(0.2)
    with pytest.raises(NetworkError):
        await bot.send_message(ana.chat_id, "during")
    emu.end_outage()
    assert not emu.in_outage
    await bot.send_message(ana.chat_id, "after")
    assert [m.text for m in ana.inbox()] == ["after"]


async def test_accepted_but_no_answer(limited: Emulator, limited_bot: Bot) -> None:
    ana = limited.user("ana")
    limited.timeout_seconds = 0.5
    limited.inject(Fault("accepted_no_answer", method="sendMessage", chat_id=ana.chat_id))
    with pytest.raises(NetworkError):  # a timeout, or the 502 after the hang
        await limited_bot.send_message(ana.chat_id, "did it go?")
    assert [m.text for m in ana.inbox()] == ["did it go?"]  # it did
    await limited_bot.send_message(ana.chat_id, "next")  # the fault was used once
    assert len(ana.inbox()) == 2


async def test_peak_rate_counts_the_busiest_window(emu: Emulator, bot: Bot) -> None:
    people = [emu.user(f"peer-{n}") for n in range(5)]
    for person in people:
        await bot.send_message(person.chat_id, "a")
    await asyncio.sleep(1.1)
    await bot.send_message(people[0].chat_id, "b")
    assert emu.peak_rate(1.0) == 5
    assert emu.peak_rate(1.0, chat_id=people[0].chat_id) == 1
    assert emu.peak_rate(10.0, chat_id=people[0].chat_id) == 2
