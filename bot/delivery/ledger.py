"""Where the sender writes what became of its rows: each change in a transaction of its own,
retried while the database is busy, since a `sent` that is lost repeats the message."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.core.context import Core
from bot.core.records import OutboxItem
from bot.delivery.settings import SenderSettings
from storage.database import UnitOfWork

log = logging.getLogger("companera.delivery")

Change = Callable[[UnitOfWork], Awaitable[object]]


class Ledger:
    def __init__(self, core: Core, settings: SenderSettings) -> None:
        self._core = core
        self._settings = settings

    async def record(self, item: OutboxItem, change: Change) -> None:
        """Write a row's outcome; a failure after the retries is logged with the message's
        kind, never the row's id (a copy of the database would join it)."""
        if not await self.record_all(change):
            log.error("outbox.record_failed", extra={"kind": str(item.payload.get("kind"))[:40]})

    async def record_all(self, change: Change) -> bool:
        """Run a change in a transaction of its own, retried while the database is busy."""
        for attempt in range(5):
            try:
                async with self._core.db.unit_of_work() as uow:
                    await change(uow)
                    await uow.commit()
                return True
            except Exception as error:
                log.warning("outbox.record_retry", extra={"error": type(error).__name__})
                await asyncio.sleep(0.1 * 2**attempt)
        return False

    async def purge(self) -> None:
        """Forget rows sent or failed long enough ago."""
        now = self._core.clock.now()
        async with self._core.db.unit_of_work() as uow:
            gone = await uow.outbox.purge(
                now - self._settings.sent_ttl, now - self._settings.failed_ttl
            )
            await uow.commit()
        if gone:
            log.info("outbox.purged", extra={"rows": gone})
