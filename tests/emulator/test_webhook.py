"""Webhook mode: updates POSTed in order with the secret, retried until taken."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import BadRequest, Conflict

from bot.emulator import Emulator


@dataclass
class Receiver:
    """A tiny webhook endpoint on loopback that can be told to refuse."""

    url: str = ""
    refuse: int = 0  # how many deliveries to answer 500 first
    received: list[tuple[str | None, dict[str, Any]]] = field(default_factory=list)
    refused: int = 0
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def hook(self, request: web.Request) -> web.Response:
        if self.refused < self.refuse:
            self.refused += 1
            return web.Response(status=500)
        secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        self.received.append((secret, await request.json()))
        self.arrived.set()
        return web.Response(status=200)

    async def wait_for(self, count: int) -> None:
        while len(self.received) < count:
            self.arrived.clear()
            await asyncio.wait_for(self.arrived.wait(), 3)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    endpoint = Receiver()
    app = web.Application()
    app.router.add_post("/hook", endpoint.hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    endpoint.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    try:
        yield endpoint
    finally:
        await runner.cleanup()


async def test_updates_are_posted_in_order_with_the_secret(
    emu: Emulator, bot: Bot, receiver: Receiver
) -> None:
    ana = emu.user("ana")
    await ana.send("antes del webhook")
    assert await bot.set_webhook(receiver.url, secret_token="s3cr3t-T0ken_")
    await ana.send("/start")
    await ana.send("hola")
    await receiver.wait_for(3)
    secrets = {secret for secret, _ in receiver.received}
    texts = [update["message"]["text"] for _, update in receiver.received]
    assert secrets == {"s3cr3t-T0ken_"} and texts == ["antes del webhook", "/start", "hola"]
    assert [update["update_id"] for _, update in receiver.received] == [1, 2, 3]
    info = await bot.get_webhook_info()
    assert info.url == receiver.url and info.pending_update_count == 0


async def test_a_refused_delivery_is_retried(emu: Emulator, bot: Bot, receiver: Receiver) -> None:
    receiver.refuse = 3
    await bot.set_webhook(receiver.url)
    await emu.user("ana").send("uno")
    await emu.user("ana").send("dos")
    await receiver.wait_for(2)
    assert receiver.refused == 3
    assert [u["message"]["text"] for _, u in receiver.received] == ["uno", "dos"]
    assert receiver.received[0][0] is None  # no secret set, no header
    info = await bot.get_webhook_info()
    assert info.last_error_message is not None and "500" in info.last_error_message


async def test_polling_and_webhook_exclude_each_other(emu: Emulator, bot: Bot) -> None:
    ana = emu.user("ana")
    await bot.set_webhook("http://127.0.0.1:9/nowhere")  # nothing listens: all stays pending
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    await ana.send("hola")
    await asyncio.sleep(0.1)
    assert (await bot.get_webhook_info()).pending_update_count == 1
    assert emu.webhook_url == "http://127.0.0.1:9/nowhere"
    await bot.delete_webhook()
    assert [u.message.text for u in await bot.get_updates() if u.message] == ["hola"]
    await bot.set_webhook("http://127.0.0.1:9/nowhere")
    await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates() == () and emu.webhook_url is None


async def test_a_bad_secret_is_refused(emu: Emulator, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)secret token"):
        await bot.set_webhook("http://127.0.0.1:9/hook", secret_token="no spaces allowed")
    assert emu.webhook_url is None
