"""Webhook mode in one process, on SQLite and on PostgreSQL: Telegram (the emulator) POSTs
updates to the bot's own HTTP server, which refuses calls without the secret, handles each
update once, and serves /healthz and /metrics."""

from __future__ import annotations

import asyncio
import json
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
            METRICS_PORT=free_port(),
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
        async with http.get(metrics_address(hooked, "/healthz")) as answer:
            assert answer.status == 200
            assert await answer.json() == {"database": "ok", "scheduler": "ok"}
        async with http.get(metrics_address(hooked, "/metrics")) as answer:
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
    scheduler = [task for task in hooked.bot._tasks if task.get_name() == "scheduler"]
    assert scheduler, "no scheduler task: the test would prove nothing"
    for task in scheduler:
        task.cancel()
    # Cancelling only asks: on PostgreSQL the loop may still be releasing a connection.
    # Wait until it has ended, then ask.
    await asyncio.wait(scheduler, timeout=30)
    assert all(task.done() for task in scheduler)
    async with aiohttp.ClientSession() as http:
        async with http.get(metrics_address(hooked, "/healthz")) as answer:
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


# Exposure: what the public port answers, and what reaches the database from it.

INT64 = 2**63
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET}


def metrics_address(world: World, path: str) -> str:
    return f"http://127.0.0.1:{world.bot.settings.metrics_port}{path}"


async def test_the_public_port_serves_only_updates(hooked: World) -> None:
    async with aiohttp.ClientSession() as http:
        for path in ("/metrics", "/healthz", "/", "/telegram/x"):
            async with http.get(address(hooked, path)) as answer:
                assert answer.status == 404, path
        async with http.get(metrics_address(hooked, "/healthz")) as answer:
            assert answer.status == 200
        async with http.get(metrics_address(hooked, "/metrics")) as answer:
            assert answer.status == 200
            assert "companera_updates_total" in await answer.text()
        async with http.post(metrics_address(hooked, "/telegram"), headers=HEADERS) as answer:
            assert answer.status in (404, 405)  # updates are not taken there


async def test_both_listeners_are_bound_to_loopback_by_default(hooked: World) -> None:
    settings = hooked.bot.settings
    assert (settings.host, settings.metrics_host) == ("127.0.0.1", "127.0.0.1")
    bound = hooked.bot.listening()
    assert bound == {("127.0.0.1", settings.port), ("127.0.0.1", settings.metrics_port)}


def out_of_range_bodies() -> list[tuple[str, dict[str, object]]]:
    """Updates with a number no genuine update carries: outside signed 64 bits, or not an
    integer where Telegram sends one. Each would reach the database if it were handled."""
    cases: list[tuple[str, dict[str, object]]] = []
    for name, value in [("2**70", 2**70), ("2**63", INT64), ("-2**63-1", -INT64 - 1)]:
        cases.append((f"update_id={name}", start_from(424_242, value)))  # type: ignore[arg-type]
        for field in ("chat", "from"):
            body = start_from(424_242, 999_100)
            body["message"][field]["id"] = value  # type: ignore[index]
            cases.append((f"{field}.id={name}", body))
        body = start_from(424_242, 999_101)
        body["message"]["message_id"] = value  # type: ignore[index]
        cases.append((f"message_id={name}", body))
    for name, value in [("float", 1.5), ("1e30", 1e30), ("text", "1"), ("true", True)]:
        cases.append((f"update_id={name}", start_from(424_242, value)))  # type: ignore[arg-type]
    return cases


@pytest.mark.parametrize(
    "body", [b for _, b in out_of_range_bodies()], ids=[n for n, _ in out_of_range_bodies()]
)
async def test_ids_outside_64_bits_get_400_and_nothing_is_written(
    hooked: World, body: dict[str, object]
) -> None:
    before = await counts(hooked)
    async with aiohttp.ClientSession() as http:
        async with http.post(address(hooked, "/telegram"), json=body, headers=HEADERS) as answer:
            assert answer.status == 400
    await hooked.settle()
    assert await counts(hooked) == before
    assert hooked.emulator.sent == []


def not_integer_bodies() -> list[tuple[str, dict[str, object]]]:
    """Updates whose ids (or a location's coordinates) are not numbers: nothing Telegram
    sends; before, some reached the database's code and gave a 500."""
    cases: list[tuple[str, dict[str, object]]] = []
    odd: list[tuple[str, object]] = [
        ("float", 1.5),
        ("1e30", 1e30),
        ("text", "1"),
        ("null", None),
        ("list", []),
        ("object", {}),
        ("true", True),
    ]
    for name, value in odd:
        for field in ("chat", "from"):
            body = start_from(424_244, 999_400)
            body["message"][field]["id"] = value  # type: ignore[index]
            cases.append((f"{field}.id={name}", body))
        body = start_from(424_244, 999_401)
        body["message"]["message_id"] = value  # type: ignore[index]
        cases.append((f"message_id={name}", body))
    body = start_from(424_244, 999_402)
    message = body["message"]
    del message["text"], message["entities"]  # type: ignore[attr-defined]
    message["location"] = {"latitude": "north", "longitude": -99.1}  # type: ignore[index]
    cases.append(("latitude=text", body))
    return cases


@pytest.mark.parametrize(
    "body", [b for _, b in not_integer_bodies()], ids=[n for n, _ in not_integer_bodies()]
)
async def test_ids_that_are_not_integers_get_400_and_nothing_is_written(
    hooked: World, body: dict[str, object]
) -> None:
    before = await counts(hooked)
    async with aiohttp.ClientSession() as http:
        async with http.post(address(hooked, "/telegram"), json=body, headers=HEADERS) as answer:
            assert answer.status == 400
    await hooked.settle()
    assert await counts(hooked) == before
    assert hooked.emulator.sent == []


async def test_ids_at_the_edges_of_64_bits_are_handled(hooked: World) -> None:
    async with aiohttp.ClientSession() as http:
        for update_id in (INT64 - 1, 0):
            body = start_from(424_243, update_id)
            async with http.post(
                address(hooked, "/telegram"), json=body, headers=HEADERS
            ) as answer:
                assert answer.status == 200
    await hooked.settle()
    assert await counts(hooked) == (1, 2)


async def raw_post(world: World, head: bytes, body: bytes) -> bytes:
    """Send a request by hand, possibly unfinished, and read the status line of the answer.
    The timeout only bounds a failure: an app that waits for the rest never answers."""
    reader, writer = await asyncio.open_connection("127.0.0.1", world.bot.settings.port)
    try:
        writer.write(head + body)
        await writer.drain()
        return await asyncio.wait_for(reader.readline(), timeout=10)
    finally:
        writer.close()


def head(extra: str) -> bytes:
    return (
        "POST /telegram HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"X-Telegram-Bot-Api-Secret-Token: {SECRET}\r\n{extra}\r\n"
    ).encode()


async def test_a_body_over_1_mb_is_refused_before_it_is_read(hooked: World) -> None:
    before = await counts(hooked)
    # Announced as 2 MB, and not one byte of it sent: the answer comes at once.
    status = await raw_post(hooked, head("Content-Length: 2000000\r\n"), b"")
    assert status.startswith(b"HTTP/1.1 413"), status
    # Sent whole, too.
    async with aiohttp.ClientSession() as http:
        async with http.post(
            address(hooked, "/telegram"), data=b" " * 1_000_001, headers=HEADERS
        ) as answer:
            assert answer.status == 413
    assert await counts(hooked) == before


async def test_a_chunked_body_over_1_mb_is_refused_while_it_arrives(hooked: World) -> None:
    before = await counts(hooked)
    chunk = b" " * 100_000
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(11))
    # 1.1 MB of chunks and no last chunk: the client has not finished sending.
    status = await raw_post(hooked, head("Transfer-Encoding: chunked\r\n"), chunks)
    assert status.startswith(b"HTTP/1.1 413"), status
    assert await counts(hooked) == before


async def test_a_chunked_update_under_1_mb_is_handled(hooked: World) -> None:
    luz = hooked.emulator.user("luz")

    async def pieces() -> AsyncIterator[bytes]:
        text = json.dumps(start_from(luz.id, 999_200)).encode()
        for i in range(0, len(text), 7):
            yield text[i : i + 7]

    async with aiohttp.ClientSession() as http:
        async with http.post(
            address(hooked, "/telegram"), data=pieces(), headers=HEADERS
        ) as answer:
            assert answer.status == 200
    await luz.receives(containing="alias")
