"""One update, one commit: whatever an update does (a new member, a check-in with details,
a button), it commits once, replies included. Counted with a SQLAlchemy event listener on
the engine; nothing else runs meanwhile (no scheduler, no sender)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select, text
from telegram import Update

from bot.app import core_from
from bot.config import Settings
from bot.core.context import Core
from bot.delivery.outbox import OutboxSender
from bot.emulator import EmulatedUser, Emulator
from bot.i18n import t
from bot.telegram.application import (
    DUPLICATE,
    HANDLED,
    BotApplication,
    UpdateFailed,
    build_application,
)
from storage.crypto import Keyring, new_key
from storage.database import Database, make_engine
from storage.models import CheckInRow, OutboxRow
from tests.e2e.conftest import UNLIMITED
from tests.support.clock import FakeClock
from tests.support.db import backend, migrated_engine


class Bench:
    """The application alone, handed updates one by one, with the engine's commits counted."""

    def __init__(self, emulator: Emulator, application: BotApplication, core: Core) -> None:
        self.emulator = emulator
        self.application = application
        self.core = core
        self.commits = 0
        event.listen(core.db.engine.sync_engine, "commit", self._count)

    def _count(self, *_: Any) -> None:
        self.commits += 1

    async def updates(self) -> tuple[Update, ...]:
        """What waits for the bot at the emulator, acknowledged at once (as a test may)."""
        bot = self.application.bot
        updates = await bot.get_updates(timeout=0)
        if updates:
            await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
        return updates

    async def handle_all(self) -> list[int]:
        """Handle what waits; the commits each update made."""
        counts = []
        for update in await self.updates():
            before = self.commits
            assert await self.application.handle(update) == HANDLED
            counts.append(self.commits - before)
        return counts

    async def deliver(self) -> None:
        """Send what the outbox holds, so that she can press its buttons."""
        await OutboxSender(self.core, self.application.bot, UNLIMITED).drain()


@pytest.fixture
async def bench(tmp_path: Path) -> AsyncIterator[Bench]:
    async with migrated_engine(tmp_path) as engine, Emulator(rate_limits=False) as emulator:
        db = Database(engine, Keyring(new_key()))
        await db.open()
        core = core_from(Settings(), db, FakeClock())
        application = build_application(emulator.token, emulator.base_url, core)
        await application.initialize()
        try:
            yield Bench(emulator, application, core)
        finally:
            await application.shutdown()


async def opened(bench: Bench, name: str) -> EmulatedUser:
    user = bench.emulator.user(name)
    await user.send("/start")
    await user.send(name.capitalize())
    assert await bench.handle_all() == [1, 1]
    return user


async def test_every_update_commits_once(bench: Bench) -> None:
    ana = await opened(bench, "ana")
    await ana.send("/checkin 45m Hotel Prueba hab 12, placa TEST-000")
    await ana.send("/checkin")  # refused: one is running; still one commit
    await ana.send("/help")
    assert await bench.handle_all() == [1, 1, 1]
    await bench.deliver()
    confirmation = next(m for m in ana.inbox() if m.buttons())
    await ana.press(confirmation, confirmation.buttons()[0])  # "I'm safe"
    assert await bench.handle_all() == [1]


async def test_a_redelivered_update_is_handled_once(bench: Bench) -> None:
    ana = await opened(bench, "ana")
    await ana.send("/checkin 45m Hotel Prueba, placa TEST-000")
    (update,) = await bench.updates()
    assert await bench.application.handle(update) == HANDLED
    assert await bench.application.handle(update) == DUPLICATE  # Telegram sent it again
    async with bench.core.db.unit_of_work() as uow:
        checkins = await uow.session.scalar(select(func.count()).select_from(CheckInRow))
        replies = await uow.session.scalar(select(func.count()).select_from(OutboxRow))
    assert checkins == 1
    assert replies == 3 + 3  # welcome, ask alias, saved; started, no contacts yet, details


async def test_a_failing_handler_keeps_nothing_but_a_kind_answer(
    bench: Bench, monkeypatch: pytest.MonkeyPatch
) -> None:
    ana = await opened(bench, "ana")
    async with bench.core.db.unit_of_work() as uow:
        queued = await uow.session.scalar(select(func.count()).select_from(OutboxRow))

    async def broken(*_: object, **__: object) -> None:
        raise RuntimeError("a bug half-way through")

    # The check-in is written, then the bug strikes before the reply: nothing is kept.
    monkeypatch.setattr("bot.telegram.checkins._confirm", broken)
    await ana.send("/checkin 45m Hotel Prueba, placa TEST-000")
    assert await bench.handle_all() == [1]
    async with bench.core.db.unit_of_work() as uow:
        checkins = await uow.session.scalar(select(func.count()).select_from(CheckInRow))
        now_queued = await uow.session.scalar(select(func.count()).select_from(OutboxRow))
    assert checkins == 0
    assert now_queued == (queued or 0) + 1  # only "something went wrong"
    await bench.deliver()
    assert ana.inbox()[-1].text == t("es", "error.generic")


@pytest.mark.skipif(backend() != "postgresql", reason="a server that drops connections")
async def test_a_connection_the_server_dropped_fails_one_update_and_the_next_is_handled(
    bench: Bench,
) -> None:
    """The pool does not ping before each update (a round trip per update): a connection
    PostgreSQL closed meanwhile fails the update that meets it, as a database failure that
    Telegram sends again, and the pool replaces its connections."""
    ana = await opened(bench, "ana")
    admin = make_engine(bench.core.db.engine.url.render_as_string(hide_password=False))
    async with admin.connect() as connection:
        dropped = await connection.scalar(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    await admin.dispose()
    assert dropped  # the bot's pooled connection
    await ana.send("/checkin 45m")
    (update,) = await bench.updates()
    outcomes = []
    for _ in range(3):  # at most one failure per connection the server dropped
        try:
            outcomes.append(await bench.application.handle(update))
            break
        except UpdateFailed:
            outcomes.append("failed")
    assert outcomes[-1] == HANDLED
    async with bench.core.db.unit_of_work() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(CheckInRow)) == 1
