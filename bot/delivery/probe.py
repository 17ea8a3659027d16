"""When a send times out or answers 5xx: is Telegram down, or was it that row?

Sending stops and getMe asks Telegram, backing off exponentially with jitter. If Telegram
was down, the suspect rows go again at once, in order, when it is back; if it answered at
once, the failures were the rows' own, and each waits a backoff of its own.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from telegram import Bot
from telegram.error import TelegramError

from bot.core.context import Core
from bot.delivery.claims import Claims
from bot.delivery.ledger import Ledger
from bot.delivery.settings import SenderSettings
from storage.database import UnitOfWork

log = logging.getLogger("companera.delivery")


def backoff(settings: SenderSettings, failures: int) -> float:
    """Seconds to wait after `failures` failures in a row: doubling, capped, with jitter."""
    delay = min(settings.backoff_max, settings.backoff_first * 2**failures)
    return delay * random.uniform(0.8, 1.2)


class Probe:
    """At most one probe at a time; while it runs, nothing is sent."""

    def __init__(
        self,
        core: Core,
        bot: Bot,
        settings: SenderSettings,
        claims: Claims,
        ledger: Ledger,
        wake: asyncio.Event,
    ) -> None:
        self._core = core
        self._bot = bot
        self._settings = settings
        self._claims = claims
        self._ledger = ledger
        self._wake = wake
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._until_back(), name="outbox.probe")

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()

    async def _until_back(self) -> None:
        failures = 0
        try:
            while not self._core.stopping.is_set():
                await asyncio.sleep(backoff(self._settings, failures))
                try:
                    await self._bot.get_me()
                    break
                except TelegramError:
                    failures += 1
                    if failures in (1, 5) or failures % 30 == 0:
                        log.warning("outbox.telegram_unreachable", extra={"probes": failures})
            await self._after(failures)
        finally:
            self._task = None
            self._wake.set()

    async def _after(self, failures: int) -> None:
        suspects = self._claims.take_suspects()
        if failures:  # Telegram was down: everything goes again at once, in order
            log.info("outbox.telegram_back", extra={"probes": failures})
            for row in suspects:
                self._claims.waiting[row.item.id] = row
            return
        for row in suspects:  # Telegram was fine: those rows failed on their own
            item = row.item
            delay = backoff(self._settings, item.attempts + 1)
            when = self._core.clock.now() + timedelta(seconds=delay)
            await self._ledger.record(item, _retry(item.id, when))


def _retry(item_id: str, when: datetime) -> Callable[[UnitOfWork], Awaitable[None]]:
    return lambda uow: uow.outbox.retry_at(item_id, when, 0)
