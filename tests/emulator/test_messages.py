"""The bot side: python-telegram-bot's Bot against the emulator's message methods."""

from __future__ import annotations

import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from telegram.error import BadRequest, EndPointNotFound, InvalidToken

from bot.emulator import Emulator

KEYBOARD = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("Sí", callback_data="yes"),
            InlineKeyboardButton("No", callback_data="no"),
        ],
        [InlineKeyboardButton("Ayuda", url="https://example.org/help")],
    ]
)


async def test_get_me_describes_the_bot(emu: Emulator, bot: Bot) -> None:
    me = await bot.get_me()
    assert me.username == "companera_demo_bot"
    assert me.is_bot and me.first_name == "Compañera"
    assert me.id == 123456  # the id a token starts with
    assert me.can_join_groups is False and me.supports_inline_queries is False
    assert emu.requests["getMe"] >= 1


async def test_a_sent_message_reaches_her_inbox_with_its_keyboard(emu: Emulator, bot: Bot) -> None:
    ana = emu.user("ana")
    result = await bot.send_message(
        ana.chat_id, "¿Todo bien?", reply_markup=KEYBOARD, protect_content=True
    )
    assert result.message_id == 1 and result.chat.id == ana.chat_id == 1_000_001
    assert result.from_user is not None and result.from_user.is_bot
    assert result.reply_markup == KEYBOARD and result.has_protected_content
    received = await ana.receives(containing="Todo bien")
    assert received.protect_content and received.buttons() == ["Sí", "No", "Ayuda"]
    assert received.callback_data("Sí") == "yes" and received.callback_data("no") == "no"
    assert received.has_button("Ayuda") and not received.has_button("Quizás")
    with pytest.raises(LookupError):
        received.callback_data("Ayuda")  # a url button has no callback data
    assert ana.inbox() == [received] == emu.sent


async def test_texts_that_look_like_json_arrive_as_sent(emu: Emulator, bot: Bot) -> None:
    ana = emu.user("ana")
    for text in ("123", "true", "null", '"quoted"', "1e3", '{"a": 1}'):
        await bot.send_message(ana.chat_id, text)
    assert [m.text for m in ana.inbox()] == ["123", "true", "null", '"quoted"', "1e3", '{"a": 1}']


async def test_message_ids_count_per_chat_and_both_sides(emu: Emulator, bot: Bot) -> None:
    ana, luz = emu.user("ana"), emu.user("luz")
    await ana.send("hola")
    first = await bot.send_message(ana.chat_id, "uno")
    other = await bot.send_message(luz.chat_id, "otro")
    assert (first.message_id, other.message_id) == (2, 1)


async def test_bad_sends_are_refused_like_telegram(emu: Emulator, bot: Bot) -> None:
    ana = emu.user("ana")
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(ana.chat_id, "x" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(ana.chat_id, "   ")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(9_999_999, "hola")
    await bot.send_message(ana.chat_id, "x" * 4096)  # the limit itself is fine
    assert [len(m.text or "") for m in ana.inbox()] == [4096]


async def test_unknown_method_and_wrong_token(emu: Emulator, bot: Bot) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathy", {"chat_id": 1_000_001})
    with pytest.raises(InvalidToken, match="rejected"):
        async with Bot("654321:WRONG", base_url=emu.base_url) as other:
            await other.get_me()
    assert emu.requests["sendTelepathy"] == 1


async def test_the_token_template_form_of_base_url_works(emu: Emulator) -> None:
    async with Bot(emu.token, base_url=emu.base_url + "{token}") as templated:
        assert (await templated.get_me()).username == emu.bot_username


async def test_edit_and_delete(emu: Emulator, bot: Bot) -> None:
    ana = emu.user("ana")
    sent = await bot.send_message(ana.chat_id, "antes", reply_markup=KEYBOARD)
    edited = await bot.edit_message_text("después", ana.chat_id, sent.message_id)
    assert isinstance(edited, Message)
    assert edited.text == "después" and edited.reply_markup is None  # keyboard gone
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("después", ana.chat_id, sent.message_id)
    await bot.edit_message_reply_markup(ana.chat_id, sent.message_id, reply_markup=KEYBOARD)
    record = ana.inbox()[0]
    assert (record.text, record.edited, record.buttons()[0]) == ("después", 2, "Sí")
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", ana.chat_id, 77)
    assert await bot.delete_message(ana.chat_id, sent.message_id) is True
    assert record.deleted and emu.is_deleted(ana.chat_id, sent.message_id)
    assert ana.inbox() == [record]  # kept in the record
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(ana.chat_id, sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("otra", ana.chat_id, sent.message_id)


async def test_the_bot_deletes_her_message(emu: Emulator, bot: Bot) -> None:
    ana = emu.user("ana")
    secret = await ana.send("Hotel Prueba, cuarto 000")
    assert not ana.is_deleted(secret)
    await bot.delete_message(ana.chat_id, secret["message_id"])
    assert ana.is_deleted(secret) and emu.is_deleted(ana.chat_id, secret["message_id"])
    assert ana.user_messages == [secret]


async def test_send_location(emu: Emulator, bot: Bot) -> None:
    ana = emu.user("ana")
    result = await bot.send_location(ana.chat_id, 19.43, -99.13, protect_content=True)
    assert result.location is not None and result.location.latitude == 19.43
    pin = await ana.receives()
    assert pin.location == (19.43, -99.13) and pin.text is None and pin.protect_content
    with pytest.raises(BadRequest, match=r"(?i)latitude"):
        await bot.send_location(ana.chat_id, 123.0, 0.0)
    with pytest.raises(BadRequest, match=r"(?i)there is no text"):
        await bot.edit_message_text("x", ana.chat_id, result.message_id)


async def test_commands_descriptions_and_other_calls(emu: Emulator, bot: Bot) -> None:
    ana = emu.user("ana")
    await bot.set_my_commands([BotCommand("checkin", "Empieza")])
    await bot.set_my_commands([BotCommand("checkin", "Start")], language_code="en")
    assert [c.description for c in await bot.get_my_commands(language_code="en")] == ["Start"]
    assert [c.command for c in await bot.get_my_commands()] == ["checkin"]
    assert await bot.delete_my_commands(language_code="en") is True
    assert await bot.get_my_commands(language_code="en") == ()
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Check In", "x")])
    assert await bot.set_my_description("Una compañera") is True
    assert await bot.set_my_short_description("Compañera") is True
    assert await bot.set_chat_menu_button() is True
    assert await bot.send_chat_action(ana.chat_id, "typing") is True
    assert emu.api.descriptions[("description", "")] == "Una compañera"
    assert ana.inbox() == []  # none of that is a message


async def test_a_menu_per_chat_and_language_as_telegram_picks_it(emu: Emulator, bot: Bot) -> None:
    ana, eva = emu.user("ana"), emu.user("eva", language_code="en")
    await bot.set_my_commands([BotCommand("checkin", "Empieza")])
    await bot.set_my_commands([BotCommand("checkin", "Start")], language_code="en")
    assert [c["description"] for c in emu.menu(ana)] == ["Empieza"]
    assert [c["description"] for c in emu.menu(eva)] == ["Start"]
    await bot.set_my_commands([BotCommand("cita", "Anota")], scope=BotCommandScopeChat(ana.id))
    assert [c["command"] for c in emu.menu(ana)] == ["cita"]  # her chat's own menu
    assert [c["command"] for c in emu.menu(eva)] == ["checkin"]  # nobody else's changes
    scope = BotCommandScopeChat(ana.id)
    assert [c.command for c in await bot.get_my_commands(scope=scope)] == ["cita"]
    assert await bot.delete_my_commands(scope=scope) is True
    assert [c["command"] for c in emu.menu(ana)] == ["checkin"]
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.set_my_commands([BotCommand("x", "x")], scope=BotCommandScopeChat(42))


async def test_her_chat_history_keeps_every_send_edit_deletion_and_answer(
    emu: Emulator, bot: Bot
) -> None:
    ana = emu.user("ana")
    sent = await bot.send_message(ana.chat_id, "uno", reply_markup=KEYBOARD, protect_content=True)
    await bot.edit_message_text("dos", ana.chat_id, sent.message_id)
    hers = await ana.send("hola")
    await bot.delete_message(ana.chat_id, hers["message_id"])
    await bot.delete_message(ana.chat_id, sent.message_id)
    query = emu.api.open_query(ana.id)
    await bot.answer_callback_query(query, "listo")
    events = emu.history(ana.chat_id)
    assert [(e.action, e.by_bot) for e in events] == [
        ("sent", True),
        ("edited", True),
        ("deleted", False),
        ("deleted", True),
        ("answered", True),
    ]
    first, edit = events[0], events[1]
    assert first.text == "uno" and first.protect_content and first.reply_markup
    assert edit.text == "dos" and edit.reply_markup is None  # an edit without keyboard drops it
    assert events[4].text == "listo"
    assert emu.history(emu.user("eva").chat_id) == []
