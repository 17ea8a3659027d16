"""The control side: emulated people, and how a test waits for what the bot sends them."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest
from telegram import Bot

from bot.emulator import EmulatedUser, Emulator


async def test_people_get_fresh_fake_ids_and_keep_them(emu: Emulator) -> None:
    ana, luz = emu.user("ana", language_code="es"), emu.user("luz", language_code="en")
    assert (ana.id, luz.id) == (1_000_001, 1_000_002)
    assert ana.chat_id == ana.id and ana.name == "ana" and ana.first_name == "Ana"
    assert emu.user("ana") is ana and emu.users() == [ana, luz]
    assert luz.as_telegram()["language_code"] == "en"


async def test_receives_waits_for_the_bot(emu: Emulator, bot: Bot) -> None:
    ana = emu.user("ana")

    async def reply_later() -> None:
        await asyncio.sleep(0.2)
        await bot.send_message(ana.chat_id, "Hola, Ana")

    task = asyncio.create_task(reply_later())
    start = time.monotonic()
    message = await ana.receives(containing="Hola", timeout=3)
    assert 0.15 <= time.monotonic() - start < 2
    assert message.text == "Hola, Ana" and message.sent_at <= time.monotonic()
    assert abs(message.sent_wall - time.time()) < 5
    await task


async def test_receives_consumes_in_order_and_skips(emu: Emulator, bot: Bot) -> None:
    ana = emu.user("ana")
    for text in ("uno", "dos", "tres", "cuatro"):
        await bot.send_message(ana.chat_id, text)
    assert (await ana.receives()).text == "uno"
    assert (await ana.receives(containing="tres")).text == "tres"  # "dos" passed over
    assert (await ana.receives()).text == "cuatro"
    with pytest.raises(AssertionError, match="did not receive a message containing 'dos'"):
        await ana.receives(containing="dos", timeout=0.1)


async def test_receives_after_a_message_id(emu: Emulator, bot: Bot) -> None:
    ana = emu.user("ana")
    await bot.send_message(ana.chat_id, "Listo (vieja)")
    mine = await ana.send("/safe")
    await bot.send_message(ana.chat_id, "Listo (nueva)")
    reply = await ana.receives(containing="Listo", after=mine["message_id"])
    assert reply.text == "Listo (nueva)" and reply.message_id == 3


async def test_a_timeout_lists_what_she_got(emu: Emulator, bot: Bot) -> None:
    ana = emu.user("ana")
    sent = await bot.send_message(ana.chat_id, "Hola")
    await bot.delete_message(ana.chat_id, sent.message_id)
    await bot.send_location(ana.chat_id, 19.4, -99.1)
    with pytest.raises(AssertionError) as missed:
        await ana.receives(containing="Adiós", timeout=0.1)
    assert "ana did not receive" in str(missed.value) and "0.1 s" in str(missed.value)
    assert "(deleted) Hola" in str(missed.value) and "location (19.4, -99.1)" in str(missed.value)


async def test_receives_nothing(emu: Emulator, bot: Bot) -> None:
    ana, luz = emu.user("ana"), emu.user("luz")
    await bot.send_message(ana.chat_id, "antes")  # already there: not news
    await ana.receives_nothing(within=0.1)

    async def write_soon(user: EmulatedUser) -> None:
        await asyncio.sleep(0.05)
        await bot.send_message(user.chat_id, "sorpresa")

    task = asyncio.create_task(write_soon(luz))
    await ana.receives_nothing(within=0.2)  # luz's message is not hers
    await task
    task = asyncio.create_task(write_soon(ana))
    start = time.monotonic()
    with pytest.raises(AssertionError, match="sorpresa"):
        await ana.receives_nothing(within=2)
    assert time.monotonic() - start < 1  # fails as soon as it arrives
    await task


async def test_receives_nothing_without_a_window_means_nothing_unread(
    emu: Emulator, bot: Bot
) -> None:
    ana, luz = emu.user("ana"), emu.user("luz")
    await ana.receives_nothing()  # an empty chat
    await bot.send_message(ana.chat_id, "leído")
    await bot.send_message(luz.chat_id, "para luz")
    await ana.receives(containing="leído")
    await ana.receives_nothing()  # read, and luz's is not hers
    await bot.send_message(ana.chat_id, "sin leer")
    with pytest.raises(AssertionError, match="nothing unread, but has \\['sin leer'\\]"):
        await ana.receives_nothing()


async def test_two_people_wait_at_once(emu: Emulator, bot: Bot) -> None:
    ana, luz = emu.user("ana"), emu.user("luz")
    waits = asyncio.gather(ana.receives(containing="ana"), luz.receives(containing="luz"))
    await asyncio.sleep(0.05)
    await bot.send_message(luz.chat_id, "para luz")
    await bot.send_message(ana.chat_id, "para ana")
    for_ana, for_luz = await asyncio.wait_for(waits, 2)
    assert (for_ana.text, for_luz.text) == ("para ana", "para luz")


async def test_she_cannot_press_a_button_she_does_not_see(emu: Emulator, bot: Bot) -> None:
    ana, luz = emu.user("ana"), emu.user("luz")
    with pytest.raises(LookupError, match="ana has no message with a button 'Sí'"):
        await ana.press(None, "Sí")
    await bot.send_message(luz.chat_id, "solo texto")
    with pytest.raises(LookupError, match="cannot see"):
        await ana.press(luz.inbox()[0], "Sí")
    with pytest.raises(LookupError, match="no button 'Sí'"):
        await luz.press(luz.inbox()[0], "Sí")
    with pytest.raises(ValueError, match="empty"):
        await ana.send("")


async def test_a_restarted_emulator_keeps_its_state() -> None:
    emu = Emulator(rate_limits=False)
    ana = emu.user("ana")
    await ana.send("antes")
    for _ in range(2):
        await emu.start()
        try:
            async with Bot(emu.token, base_url=emu.base_url) as bot:
                start = time.monotonic()
                updates = await bot.get_updates(timeout=timedelta(seconds=0.2))
                assert [u.message.text for u in updates if u.message] == ["antes"]
                await bot.send_message(ana.chat_id, "hola")
                assert time.monotonic() - start < 1
        finally:
            await emu.stop()
    assert [m.text for m in ana.inbox()] == ["hola", "hola"]
    with pytest.raises(RuntimeError, match="start the emulator first"):
        assert emu.base_url
