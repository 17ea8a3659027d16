"""Long polling that acknowledges an update only once its effects are committed.

python-telegram-bot's Updater asks for the next batch (offset = last + 1, which tells
Telegram the batch is done) before any handler has committed, so a crash in between would
lose a /safe or an /sos. Here a batch is handled first (one person's updates in order,
different people's at once), and only then acknowledged. An update whose transaction
failed is not acknowledged: it comes back with the next call, and the updates handled
after it in the same batch are recognised by their update ids and not handled twice."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable

from telegram import Bot, Update
from telegram.error import TelegramError

log = logging.getLogger("companera.polling")
AT_ONCE = 8  # people handled at once; each holds a database connection
FIRST_BACKOFF, LAST_BACKOFF = 0.5, 10.0


class Poller:
    """Calls `handle` for every update Telegram has for the bot, and acknowledges it after."""

    def __init__(
        self,
        bot: Bot,
        handle: Callable[[Update], Awaitable[object]],
        timeout: int,
        retry_on: type[Exception] = Exception,
    ) -> None:
        self._bot = bot
        self._handle = handle
        self._retry_on = retry_on
        self._timeout = timeout
        self._offset: int | None = None
        self._at_once = asyncio.Semaphore(AT_ONCE)
        self.handled = 0
        self.handling = False  # a batch is in hand: let it finish before stopping

    async def catch_up(self) -> None:
        """Handle everything that waited at Telegram, without waiting for more."""
        while await self.poll(timeout=0):
            pass

    async def run(self, stopping: asyncio.Event) -> None:
        """Poll until `stopping` is set; Telegram being away is waited out, never fatal."""
        failures = 0
        while not stopping.is_set():
            try:
                await self.poll(self._timeout)
                failures = 0
            except TelegramError as error:
                failures += 1
                delay = min(LAST_BACKOFF, FIRST_BACKOFF * 2 ** (failures - 1))
                log.warning("polling.retry", extra={"error": type(error).__name__})
                await _sleep_unless(stopping, delay)

    async def poll(self, timeout: int) -> int:
        """One getUpdates (which acknowledges what came before), and the batch it brings;
        returns how many updates it brought."""
        updates = await self._bot.get_updates(
            offset=self._offset, timeout=timeout, allowed_updates=Update.ALL_TYPES
        )
        if updates:
            self.handling = True
            try:
                self._offset = await self._handle_batch(updates)
            finally:
                self.handling = False
        return len(updates)

    async def _handle_batch(self, updates: tuple[Update, ...]) -> int:
        """Handle a batch; the offset to acknowledge: past the batch, or the first update
        that must come again."""
        people: defaultdict[int | None, list[Update]] = defaultdict(list)
        for update in updates:
            user = update.effective_user
            people[user.id if user else None].append(update)
        failed = await asyncio.gather(*(self._one_person(batch) for batch in people.values()))
        first_failed = min((f for f in failed if f is not None), default=None)
        if first_failed is not None:
            await asyncio.sleep(FIRST_BACKOFF)  # the database was away: give it a moment
            return first_failed
        return updates[-1].update_id + 1

    async def _one_person(self, updates: list[Update]) -> int | None:
        """Her updates in order; the id of the first one that failed (the rest wait)."""
        async with self._at_once:
            for update in updates:
                try:
                    await self._handle(update)
                except self._retry_on as error:
                    log.warning("polling.update_failed", extra={"error": type(error).__name__})
                    return update.update_id
                except Exception as error:  # a bug: retrying would hold back everyone's
                    log.error("polling.update_dropped", extra={"error": type(error).__name__})
                self.handled += 1
        return None


async def _sleep_unless(stopping: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stopping.wait(), seconds)
    except TimeoutError:
        pass
