"""Refusals: Telegram's rate limits, injected faults, blocked chats and outages."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from types import SimpleNamespace

import pytest
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest

from bot.emulator import Emulator, Fault, limits
from tests.emulator.conftest import seconds


@pytest.fixture
async def limited() -> AsyncIterator[Emulator]:
    async with Emulator() as emulator:
        yield emulator


@pytest.fixture
async def limited_bot(limited: Emulator) -> AsyncIterator[Bot]:
    request = HTTPXRequest(connection_pool_size=64)
    async with Bot(limited.token, base_url=limited.base_url, request=request) as client:
        yield client


async def test_a_chat_gets_a_burst_of_three_then_429(limited: Emulator, limited_bot: Bot) -> None:
    ana = limited.user("ana")
    for n in range(3):
        await limited_bot.send_message(ana.chat_id, f"m{n}")
    with pytest.raises(RetryAfter) as refused:
        await limited_bot.send_message(ana.chat_id, "m3")
    assert seconds(refused.value.retry_after) == 1
    assert limited.too_many_requests == 1 and len(ana.inbox()) == 3
    await limited_bot.send_message(limited.user("luz").chat_id, "other chats are not held up")
    await asyncio.sleep(1.0)  # a token a second
    await limited_bot.send_message(ana.chat_id, "m3")
    assert [m.text for m in ana.inbox()] == ["m0", "m1", "m2", "m3"]


async def test_all_chats_together_get_thirty_a_second(
    limited: Emulator, limited_bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The limiter's clock stands still: a loaded machine refills nothing meanwhile (41 went
    # through once, with pytest-xdist beside it), so exactly the 30 saved up go.
    now = [limits.time.monotonic()]
    monkeypatch.setattr(limits, "time", SimpleNamespace(monotonic=lambda: now[0]))
    people = [limited.user(f"p{n}") for n in range(45)]  # one message each: no chat limit
    outcomes = await asyncio.gather(
        *(limited_bot.send_message(p.chat_id, "aviso") for p in people), return_exceptions=True
    )
    refused = [o for o in outcomes if isinstance(o, RetryAfter)]
    assert len(refused) + len(limited.sent) == 45
    assert len(limited.sent) == 30 and len(refused) == 15
    assert limited.too_many_requests == len(refused)
    assert all(seconds(r.retry_after) >= 1 for r in refused)


async def test_configured_rates() -> None:
    async with (
        Emulator(global_rate=2, chat_rate=10, chat_burst=10) as emu,
        Bot(emu.token, base_url=emu.base_url) as bot,
    ):
        ana = emu.user("ana")
        await bot.send_message(ana.chat_id, "uno")
        await bot.send_message(ana.chat_id, "dos")
        with pytest.raises(RetryAfter):
            await bot.send_message(ana.chat_id, "tres")
        assert emu.too_many_requests == 1


async def test_without_rate_limits_nothing_is_refused(emu: Emulator, bot: Bot) -> None:
    ana = emu.user("ana")
    for n in range(40):
        await bot.send_message(ana.chat_id, f"m{n}")
    assert len(ana.inbox()) == 40 and emu.too_many_requests == 0


async def test_only_sends_count(limited: Emulator, limited_bot: Bot) -> None:
    ana = limited.user("ana")
    for _ in range(10):
        await limited_bot.get_me()
        await limited_bot.send_chat_action(ana.chat_id, "typing")
    sent = await limited_bot.send_message(ana.chat_id, "uno")
    for n in range(5):
        await limited_bot.edit_message_text(f"edit {n}", ana.chat_id, sent.message_id)
    assert limited.too_many_requests == 0


async def test_server_error_fault_is_used_up(emu: Emulator, bot: Bot) -> None:
    ana = emu.user("ana")
    emu.inject(Fault("server_error", method="sendMessage", times=2))
    await bot.get_me()  # another method: untouched
    for _ in range(2):
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.send_message(ana.chat_id, "hola")
    await bot.send_message(ana.chat_id, "hola")
    assert [m.text for m in ana.inbox()] == ["hola"]


async def test_faults_for_one_chat_and_forever(emu: Emulator, bot: Bot) -> None:
    ana, luz = emu.user("ana"), emu.user("luz")
    emu.inject(Fault("chat_not_found", chat_id=luz.chat_id, times=None))
    for _ in range(3):
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await bot.send_message(luz.chat_id, "hola")
    await bot.send_message(ana.chat_id, "hola")
    emu.inject(Fault("blocked", method="send_message"))
    with pytest.raises(Forbidden, match="blocked by the user"):
        await bot.send_message(ana.chat_id, "hola")
    emu.clear_faults()
    await bot.send_message(luz.chat_id, "hola")
    assert len(ana.inbox()) == len(luz.inbox()) == 1


async def test_timeout_fault_hangs_until_the_client_gives_up(emu: Emulator, bot: Bot) -> None:
    ana = emu.user("ana")
    emu.inject(Fault("timeout", method="sendMessage"))
    start = time.monotonic()
    with pytest.raises(TimedOut):
        await bot.send_message(ana.chat_id, "hola", read_timeout=0.3)
    assert 0.25 <= time.monotonic() - start < 5
    await bot.send_message(ana.chat_id, "hola")
    emu.timeout_seconds = 0.1
    emu.inject(Fault("timeout"))
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.get_me()


async def test_an_unknown_fault_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        Fault("gremlins")  # type: ignore[arg-type]


async def test_a_blocked_user_until_unblocked(emu: Emulator, bot: Bot) -> None:
    ana, luz = emu.user("ana"), emu.user("luz")
    emu.block(ana)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(ana.chat_id, "hola")
    with pytest.raises(Forbidden):
        await bot.send_location(ana.chat_id, 19.4, -99.1)
    await bot.send_message(luz.chat_id, "hola")
    emu.unblock(ana)
    await bot.send_message(ana.chat_id, "hola")
    assert len(ana.inbox()) == len(luz.inbox()) == 1


async def test_an_outage_refuses_everything_for_a_while(
    emu: Emulator, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [limits.time.monotonic()]  # the outage's clock moves only when the test says so
    monkeypatch.setattr(limits, "time", SimpleNamespace(monotonic=lambda: now[0]))
    emu.outage(0.3)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.get_me()
    with pytest.raises(NetworkError):
        await bot.get_updates()
    now[0] += 0.35
    assert (await bot.get_me()).username == emu.bot_username
    emu.outage(60)
    emu.clear_faults()
    assert await bot.get_updates() == ()


@pytest.mark.parametrize("limit_edits", [False, True])
async def test_edits_count_against_the_limits_when_asked(limit_edits: bool) -> None:
    async with (
        Emulator(limit_edits=limit_edits) as emu,
        Bot(emu.token, base_url=emu.base_url) as bot,
    ):
        ana = emu.user("ana")
        sent = await bot.send_message(ana.chat_id, "estado")
        await bot.edit_message_text("estado 1", ana.chat_id, sent.message_id)
        await bot.edit_message_text("estado 2", ana.chat_id, sent.message_id)
        if limit_edits:  # a send and two edits spent her burst of three
            with pytest.raises(RetryAfter):
                await bot.edit_message_text("estado 3", ana.chat_id, sent.message_id)
        else:
            await bot.edit_message_text("estado 3", ana.chat_id, sent.message_id)
        assert emu.too_many_requests == int(limit_edits)
        edits = emu.edits
        assert [(e.chat_id, e.message_id) for e in edits] == [(ana.chat_id, sent.message_id)] * (
            2 if limit_edits else 3
        )
        assert edits[0].at <= edits[-1].at
