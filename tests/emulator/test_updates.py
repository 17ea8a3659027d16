"""Updates: what people do reaches the bot through getUpdates, in order, parsed by PTB."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest

from bot.emulator import Emulator
from tests.emulator.conftest import seconds

YES = InlineKeyboardMarkup([[InlineKeyboardButton("Sí", callback_data="checkin:yes")]])


async def test_a_command_arrives_as_a_bot_command(emu: Emulator, bot: Bot) -> None:
    ana = emu.user("ana", language_code="es")
    sent = await ana.send("/start abc")
    (update,) = await bot.get_updates()
    message = update.message
    assert message is not None and message.text == "/start abc"
    assert message.message_id == sent["message_id"] == 1
    entity = message.entities[0]
    assert (entity.type, entity.offset, entity.length) == ("bot_command", 0, 6)
    assert message.from_user is not None and message.from_user.id == ana.id == 1_000_001
    assert message.from_user.first_name == "Ana" and message.from_user.username == "ana"
    assert message.from_user.language_code == "es" and not message.from_user.is_bot
    assert message.chat.type == "private" and message.chat.id == ana.chat_id
    assert abs(message.date.timestamp() - time.time()) < 5


async def test_a_command_addressed_to_the_bot_and_plain_text(emu: Emulator, bot: Bot) -> None:
    ana = emu.user("ana")
    await ana.send("/start@companera_demo_bot token")
    await ana.send("hola /start")
    addressed, plain = await bot.get_updates()
    assert addressed.message is not None and plain.message is not None
    assert addressed.message.entities[0].length == len("/start@companera_demo_bot")
    assert plain.message.entities == ()


async def test_offsets_confirm_and_updates_come_in_order(emu: Emulator, bot: Bot) -> None:
    ana, luz = emu.user("ana"), emu.user("luz")
    for n in range(3):
        await ana.send(f"a{n}")
        await luz.send(f"l{n}")
    updates = await bot.get_updates()
    assert [u.update_id for u in updates] == [1, 2, 3, 4, 5, 6]
    assert [u.message.text for u in updates if u.message] == ["a0", "l0", "a1", "l1", "a2", "l2"]
    assert len(await bot.get_updates()) == 6  # nothing confirmed yet
    assert [u.update_id for u in await bot.get_updates(offset=3, limit=2)] == [3, 4]
    assert [u.update_id for u in await bot.get_updates()] == [3, 4, 5, 6]  # 1, 2 forgotten
    assert await bot.get_updates(offset=7) == ()


async def test_long_polling_waits_and_wakes_on_a_message(emu: Emulator, bot: Bot) -> None:
    ana = emu.user("ana")
    start = time.monotonic()
    assert await bot.get_updates(timeout=timedelta(seconds=0.3)) == ()
    assert time.monotonic() - start >= 0.25  # it really waited
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    assert not poll.done()
    start = time.monotonic()
    await ana.send("hola")
    (update,) = await asyncio.wait_for(poll, 2)
    assert time.monotonic() - start < 1
    assert update.message is not None and update.message.text == "hola"


async def test_pressing_a_button_and_the_answer(emu: Emulator, bot: Bot) -> None:
    ana = emu.user("ana")
    sent = await bot.send_message(ana.chat_id, "¿Todo bien?", reply_markup=YES)
    query_id = await ana.press(await ana.receives(), "Sí")
    (update,) = await bot.get_updates()
    query = update.callback_query
    assert query is not None and query.id == query_id and query.data == "checkin:yes"
    assert query.from_user.id == ana.id and query.chat_instance
    assert query.message is not None and query.message.message_id == sent.message_id
    assert await query.answer("Anotado", show_alert=True)
    assert ana.answered_callbacks == [(query_id, "Anotado")]
    assert emu.callback_answers[0].show_alert is True
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await query.answer("otra vez")


async def test_pressing_by_callback_data_and_without_a_message(emu: Emulator, bot: Bot) -> None:
    ana = emu.user("ana")
    await bot.send_message(ana.chat_id, "primero", reply_markup=YES)
    newest = await bot.send_message(ana.chat_id, "segundo", reply_markup=YES)
    await ana.press(None, "checkin:yes")
    (update,) = await bot.get_updates()
    assert update.callback_query is not None and update.callback_query.message is not None
    assert update.callback_query.message.message_id == newest.message_id
    with pytest.raises(LookupError, match="Quizás"):
        await ana.press(None, "Quizás")
    await bot.delete_message(ana.chat_id, newest.message_id)
    with pytest.raises(LookupError, match="deleted"):
        await ana.press(ana.inbox()[1], "Sí")


async def test_locations_and_live_locations(emu: Emulator, bot: Bot) -> None:
    ana = emu.user("ana")
    pin = await ana.send_location(19.43, -99.13, live_period=900)
    moved = await ana.edit_live_location(pin, 19.44, -99.12)
    first, second = await bot.get_updates()
    assert first.message is not None and first.message.location is not None
    assert first.message.location.latitude == 19.43
    assert first.message.location.live_period is not None
    assert seconds(first.message.location.live_period) == 900
    edited = second.edited_message
    assert edited is not None and edited.location is not None
    assert edited.message_id == pin["message_id"] and edited.location.latitude == 19.44
    assert edited.edit_date is not None and moved["location"]["longitude"] == -99.12
