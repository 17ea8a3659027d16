"""The emulator answers python-telegram-bot like Telegram does, limits and faults included."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from types import SimpleNamespace

import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter

from bot.emulator import Emulator, Fault, limits


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    async with Emulator() as emu:
        yield emu


@pytest.fixture
async def bot(emulator: Emulator) -> AsyncIterator[Bot]:
    async with Bot(emulator.token, base_url=emulator.base_url) as client:
        yield client


def buttons() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("Sí", callback_data="x:yes")]])


async def test_get_me_and_a_message_with_buttons(emulator: Emulator, bot: Bot) -> None:
    assert bot.username == emulator.bot_username
    ana = emulator.user("ana")
    sent = await bot.send_message(
        ana.chat_id, "hola", reply_markup=buttons(), protect_content=True
    )
    received = await ana.receives(containing="hola")
    assert received.message_id == sent.message_id
    assert received.protect_content and received.buttons() == ["Sí"]


async def test_commands_parse_as_bot_commands_and_offsets_confirm(
    emulator: Emulator, bot: Bot
) -> None:
    ana = emulator.user("ana")
    await ana.send("/start abc")
    (update,) = await bot.get_updates()
    assert update.message is not None and update.message.text == "/start abc"
    assert update.message.entities[0].type == "bot_command"
    assert update.effective_user is not None and update.effective_user.id == ana.id
    assert await bot.get_updates(offset=update.update_id + 1) == ()


async def test_long_polling_returns_as_soon_as_she_sends(emulator: Emulator, bot: Bot) -> None:
    ana = emulator.user("ana")
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    assert not poll.done()
    await ana.send("hola")
    updates = await asyncio.wait_for(poll, 2)
    assert updates[0].message is not None and updates[0].message.text == "hola"


async def test_pressing_a_button_and_answering_it(emulator: Emulator, bot: Bot) -> None:
    ana = emulator.user("ana")
    await bot.send_message(ana.chat_id, "¿Todo bien?", reply_markup=buttons())
    await ana.press(await ana.receives(), "Sí")
    (update,) = await bot.get_updates()
    assert update.callback_query is not None and update.callback_query.data == "x:yes"
    assert await update.callback_query.answer("ok")
    assert ana.answered_callbacks[-1][1] == "ok"


async def test_edit_and_delete(emulator: Emulator, bot: Bot) -> None:
    ana = emulator.user("ana")
    sent = await bot.send_message(ana.chat_id, "uno")
    await bot.edit_message_text("dos", ana.chat_id, sent.message_id)
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text("dos", ana.chat_id, sent.message_id)
    assert await bot.delete_message(ana.chat_id, sent.message_id)
    assert ana.inbox()[0].text == "dos" and ana.inbox()[0].deleted
    with pytest.raises(BadRequest, match="not found"):
        await bot.delete_message(ana.chat_id, sent.message_id)


async def test_per_chat_limit_answers_429_with_retry_after(emulator: Emulator, bot: Bot) -> None:
    ana = emulator.user("ana")
    with pytest.raises(RetryAfter) as refused:
        for n in range(10):
            await bot.send_message(ana.chat_id, f"m{n}")
    assert refused.value.retry_after
    assert emulator.too_many_requests == 1
    assert len(ana.inbox()) == 3  # the burst


async def test_global_limit_is_thirty_a_second(
    emulator: Emulator, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The limiter's clock stands still, so that a slow machine refills nothing meanwhile:
    # exactly the 30 saved up go, then Telegram refuses, then a second later 30 more may go.
    now = [limits.time.monotonic()]
    monkeypatch.setattr(limits, "time", SimpleNamespace(monotonic=lambda: now[0]))
    people = [emulator.user(f"p{n}") for n in range(40)]
    with pytest.raises(RetryAfter):
        for person in people:
            await bot.send_message(person.chat_id, "aviso")
    assert len(emulator.sent) == 30
    now[0] += 1.0
    for person in people[:30]:
        await bot.send_message(person.chat_id, "otra vez")
    with pytest.raises(RetryAfter):
        await bot.send_message(people[39].chat_id, "una más")  # a chat not yet written to
    assert len(emulator.sent) == 60


async def test_without_limits_nothing_is_refused() -> None:
    async with Emulator(rate_limits=False) as emu, Bot(emu.token, base_url=emu.base_url) as bot:
        ana = emu.user("ana")
        for n in range(50):
            await bot.send_message(ana.chat_id, f"m{n}")
        assert len(ana.inbox()) == 50 and emu.too_many_requests == 0


async def test_faults_blocked_outage_and_bad_requests(
    emulator: Emulator, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [limits.time.monotonic()]  # the outage's clock moves only when the test says so
    monkeypatch.setattr(limits, "time", SimpleNamespace(monotonic=lambda: now[0]))
    ana = emulator.user("ana")
    emulator.block(ana)
    with pytest.raises(Forbidden, match="blocked"):
        await bot.send_message(ana.chat_id, "hola")
    emulator.unblock(ana)
    emulator.inject(Fault("server_error", method="sendMessage"))
    with pytest.raises(NetworkError):
        await bot.send_message(ana.chat_id, "hola")
    await bot.send_message(ana.chat_id, "hola")  # the fault was used up
    emulator.outage(0.5)
    with pytest.raises(NetworkError):
        await bot.get_me()
    now[0] += 0.6
    assert await bot.get_me()
    with pytest.raises(BadRequest, match="too long"):
        await bot.send_message(ana.chat_id, "x" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(123, "hola")


async def test_wrong_token_is_unauthorized(emulator: Emulator) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("999:WRONG", base_url=emulator.base_url):
            pass


async def test_webhook_delivers_updates_with_the_secret(emulator: Emulator, bot: Bot) -> None:
    received: list[tuple[str | None, dict[str, object]]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append(
            (request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json())
        )
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret")
        await emulator.user("ana").send("hola")
        for _ in range(50):
            if received:
                break
            await asyncio.sleep(0.05)
        assert received and received[0][0] == "s3cret"
        assert received[0][1]["message"]["text"] == "hola"  # type: ignore[index]
    finally:
        await bot.delete_webhook()
        await runner.cleanup()
