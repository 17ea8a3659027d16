"""Webhook mode in one process, on SQLite and on PostgreSQL: Telegram (the emulator) POSTs
updates to the bot's own HTTP server, which refuses calls without the secret, handles each
update once, and serves /healthz and /metrics."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.app import Companera
from bot.emulator import Emulator
from storage.crypto import new_key
from storage.models import HandledUpdate, MemberRow
from tests.e2e.conftest import UNLIMITED, World, make_settings
from tests.support.clock import FakeClock
from tests.support.db import fresh_database_url

SECRET = "test-secret-not-real"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def hooked(tmp_path: Path, clock: FakeClock) -> AsyncIterator[World]:
    """The bot in webhook mode: Telegram posts to it, it never polls."""
    port = free_port()
    async with fresh_database_url(tmp_path) as url, Emulator() as emulator:
        settings = make_settings(
            url,
            tmp_path,
            emulator,
            WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram",
            WEBHOOK_SECRET=SECRET,
            PORT=port,
        )
        bot = Companera(settings, new_key(), clock=clock, delivery=UNLIMITED)
        await bot.start()
        world = World(emulator, bot, clock, url, bot._master_key)
        try:
            yield world
        finally:
            await bot.stop()
            await world.close()


def address(world: World, path: str) -> str:
    return f"http://127.0.0.1:{world.bot.settings.port}{path}"


async def counts(world: World) -> tuple[int, int]:
    """Members and recorded updates in the database."""
    async with world.bot.core.db.unit_of_work() as uow:
        members = await uow.session.scalar(select(func.count()).select_from(MemberRow))
        updates = await uow.session.scalar(select(func.count()).select_from(HandledUpdate))
    return int(members or 0), int(updates or 0)


def start_from(user_id: int, update_id: int) -> dict[str, object]:
    """A /start as Telegram posts it, written by hand (fake ids only)."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": user_id, "type": "private"},
            "from": {"id": user_id, "is_bot": False, "first_name": "L", "language_code": "es"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


async def test_updates_arrive_by_webhook_and_are_answered(hooked: World) -> None:
    assert hooked.emulator.webhook_url == address(hooked, "/telegram")
    luz = hooked.emulator.user("luz")
    await luz.send("/start")
    await luz.receives(containing="alias")
    await luz.send("Luz")
    await luz.receives(containing="Luz")
    await luz.send("/checkin 45m Hotel Prueba hab 12")
    await luz.receives(containing="Detalles guardados")
    assert (await counts(hooked))[1] == 3  # each update recorded once


@pytest.mark.parametrize("header", [None, "", "wrong-secret", SECRET + "x", SECRET[:-1]])
async def test_a_call_without_the_secret_gets_403_and_changes_nothing(
    hooked: World, header: str | None
) -> None:
    luz = hooked.emulator.user("luz")
    update = start_from(luz.id, 999_001)
    headers = {} if header is None else {"X-Telegram-Bot-Api-Secret-Token": header}
    before = await counts(hooked)
    async with aiohttp.ClientSession() as http:
        async with http.post(address(hooked, "/telegram"), json=update, headers=headers) as answer:
            assert answer.status == 403
    await hooked.settle()
    await luz.receives_nothing()
    assert await counts(hooked) == before


async def test_an_update_sent_twice_is_handled_once(hooked: World) -> None:
    luz = hooked.emulator.user("luz")
    update = start_from(luz.id, 999_002)
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with aiohttp.ClientSession() as http:
        for _ in range(2):  # Telegram retries when it did not hear our 200 in time
            async with http.post(
                address(hooked, "/telegram"), json=update, headers=headers
            ) as answer:
                assert answer.status == 200
    await luz.receives(containing="alias")
    await hooked.settle()
    await luz.receives_nothing()
    assert await counts(hooked) == (1, 1)


async def test_healthz_and_metrics(hooked: World) -> None:
    luz = hooked.emulator.user("luz")
    await luz.send("/start")
    await luz.receives(containing="alias")
    # Her replies can reach her before the webhook call that caused them has answered, and
    # a send is counted once it is recorded: both are done once the bot has settled.
    await hooked.settle()
    async with aiohttp.ClientSession() as http:
        async with http.get(address(hooked, "/healthz")) as answer:
            assert answer.status == 200
            assert await answer.json() == {"database": "ok", "scheduler": "ok"}
        async with http.get(address(hooked, "/metrics")) as answer:
            assert answer.status == 200
            page = await answer.text()
    replies = float(len(luz.inbox()))
    expected = [
        'companera_updates_total{outcome="handled"} 1.0',
        f'companera_messages_sent_total{{priority="reply"}} {replies}',
        "companera_outbox_pending 0.0",
    ]
    assert [line for line in expected if line not in page] == []
    assert str(luz.id) not in page and "Luz" not in page and "luz" not in page


async def test_healthz_fails_when_the_scheduler_is_gone(hooked: World) -> None:
    for task in hooked.bot._tasks:
        if task.get_name() == "scheduler":
            task.cancel()
    async with aiohttp.ClientSession() as http:
        async with http.get(address(hooked, "/healthz")) as answer:
            assert answer.status == 503
            assert (await answer.json())["scheduler"] == "failing"
    # `companera run` then ends the process, for systemd or Docker to restart it.
    await asyncio.wait_for(hooked.bot.broken(), timeout=2)


async def test_a_replica_refuses_to_start_without_a_secret(tmp_path: Path) -> None:
    from bot.config import SettingsError, load_settings

    with pytest.raises(SettingsError, match="WEBHOOK_SECRET"):
        load_settings(WEBHOOK_URL="https://bot.example.org/telegram")


async def test_a_database_failure_answers_503_and_telegram_sends_it_again(
    hooked: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    from bot.core import members

    real = members.identify
    failures = [OperationalError("SELECT", {}, ConnectionError("database away"))]

    async def flaky(*args: object, **kwargs: object) -> object:
        if failures:
            raise failures.pop()
        return await real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(members, "identify", flaky)
    luz = hooked.emulator.user("luz")
    await luz.send("/start")
    await luz.receives(containing="alias")  # the retry was handled
    registry = hooked.bot.metrics.registry
    assert registry.get_sample_value("companera_updates_total", {"outcome": "failed"}) == 1
    assert (await counts(hooked))[1] == 1
