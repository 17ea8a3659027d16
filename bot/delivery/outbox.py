"""The outbox sender: the one place that sends notifications, retries, and paces.

Rows are claimed most urgent first (alert > SOS > reminder > reply > broadcast), sent
outside any transaction, and marked sent only after Telegram accepted them. Delivery is at
least once: a crash between acceptance and the commit repeats the same message.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.core import contacts
from bot.core.context import Core
from bot.telegram.render import Outgoing, render
from storage.records import Member, OutboxItem

log = logging.getLogger("companera.delivery")
BATCH = 20
PER_CLAIM = 5  # sends between two claims, so that a new alert overtakes the queue
MAX_ATTEMPTS = 1500  # with the backoff capped at 60 s: about a day of trying
GLOBAL_RATE = 28.0  # messages per second, under Telegram's 30
CHAT_INTERVAL = 1.0  # seconds between two messages to one private chat


class OutboxSender:
    def __init__(self, core: Core, bot: Bot) -> None:
        self._core = core
        self._bot = bot
        self._chat_ready: dict[int, float] = {}
        self._paused_until = 0.0
        self._next_slot = 0.0
        self._failures = 0
        self.sent = 0

    async def run(self) -> None:
        while not self._core.stopping.is_set():
            try:
                waited = await self.drain_once()
            except Exception:
                log.exception("outbox.error")
                waited = 1.0
            if waited is not None:
                await self._idle(waited)

    async def drain_once(self) -> float | None:
        """Send what may go now; returns how long to idle (None = go on at once)."""
        if self._core.stopping.is_set():
            return None
        self._core.outbox_changed.clear()
        now = time.monotonic()
        if self._paused_until > now:
            return self._paused_until - now
        batch = await self._claim()
        sent = 0
        for item, to in batch:
            if sent == PER_CLAIM:
                return None  # claim again: something more urgent may have arrived
            if self._chat_ready.get(to.chat_id, 0.0) > time.monotonic():
                continue
            await self._send(item, to)
            sent += 1
        if sent or not batch:
            return None if sent else 3600.0
        return min(self._chat_ready.get(to.chat_id, 0.0) for _, to in batch) - time.monotonic()

    async def _idle(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._core.outbox_changed.wait(), max(seconds, 0.0))
        except TimeoutError:
            pass

    async def _claim(self) -> list[tuple[OutboxItem, Member]]:
        async with self._core.db.unit_of_work() as uow:
            items = await uow.outbox.claim(self._core.clock.now(), BATCH)
            pairs = []
            for item in items:
                member = await uow.members.get(item.recipient_id)
                if member is not None:
                    pairs.append((item, member))
        return pairs

    async def _send(self, item: OutboxItem, to: Member) -> None:
        await self._pace()
        try:
            for part in _parts(item, to):
                await self._deliver(part, to.chat_id)
        except RetryAfter as error:
            wait = _seconds(error.retry_after)
            self._chat_ready[to.chat_id] = time.monotonic() + wait
            await self._finish(item, lambda uow: uow.outbox.retry_at(item.id, self._now(), 429))
            return
        except (Forbidden, BadRequest) as error:
            await self._undeliverable(item, to, 403 if isinstance(error, Forbidden) else 400)
            return
        except (NetworkError, TelegramError):
            await self._back_off(item)
            return
        self._failures = 0
        self._chat_ready[to.chat_id] = time.monotonic() + CHAT_INTERVAL
        self.sent += 1
        await self._finish(item, lambda uow: uow.outbox.mark_sent(item.id, self._now()))

    async def _deliver(self, part: Outgoing, chat_id: int) -> None:
        if part.location is not None:
            await self._bot.send_location(
                chat_id, part.location[0], part.location[1], protect_content=part.protect
            )
        else:
            await self._bot.send_message(
                chat_id, part.text or "", reply_markup=part.markup, protect_content=part.protect
            )

    async def _undeliverable(self, item: OutboxItem, to: Member, code: int) -> None:
        """Blocked, deleted or unknown chat: never retried; an alert tells the worker."""
        log.warning("outbox.undeliverable", extra={"code": code, "kind": item.payload["kind"]})
        await self._finish(item, lambda uow: uow.outbox.mark_failed(item.id, self._now(), code))
        checkin_id = item.payload.get("params", {}).get("checkin_id")
        if item.payload["kind"].startswith("alert.") and checkin_id:
            await contacts.contact_unreachable(self._core, to.id, checkin_id)

    async def _back_off(self, item: OutboxItem) -> None:
        """Telegram unreachable or failing: pause everything, exponentially, with jitter."""
        self._failures += 1
        delay = min(60.0, 0.5 * 2 ** min(self._failures, 7)) * random.uniform(0.8, 1.2)
        self._paused_until = time.monotonic() + delay
        log.warning("outbox.backoff", extra={"seconds": round(delay, 1)})
        if item.attempts + 1 >= MAX_ATTEMPTS:
            await self._finish(item, lambda uow: uow.outbox.mark_failed(item.id, self._now(), 0))
        else:
            await self._finish(item, lambda uow: uow.outbox.retry_at(item.id, self._now(), 0))

    async def _pace(self) -> None:
        now = time.monotonic()
        if self._next_slot > now:
            await asyncio.sleep(self._next_slot - now)
        self._next_slot = max(now, self._next_slot) + 1.0 / GLOBAL_RATE

    async def _finish(self, item: OutboxItem, change: Callable[..., Awaitable[None]]) -> None:
        async with self._core.db.unit_of_work() as uow:
            await change(uow)
            await uow.commit()

    def _now(self):  # type: ignore[no-untyped-def]
        return self._core.clock.now()


def _parts(item: OutboxItem, to: Member) -> list[Outgoing]:
    return [render(item.payload["kind"], item.payload.get("params", {}), to)]


def _seconds(value: object) -> float:
    seconds = getattr(value, "total_seconds", None)
    return float(seconds()) if callable(seconds) else float(value)  # type: ignore[arg-type]
