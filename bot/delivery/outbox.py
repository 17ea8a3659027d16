"""The outbox sender: the one place that sends messages to Telegram.

Every message, an alert or the answer to /help, is a row in the outbox first. The sender
keeps the most urgent rows in memory (alert > SOS > reminder > reply > broadcast), sends
them within Telegram's limits with several requests in flight, and marks a row sent only
after Telegram accepted it. Delivery is at least once: a crash between acceptance and the
commit repeats the same message, never a different one.

Failures, by what they mean:
- 429: that chat (or, from several chats at once, everything) waits `retry_after`.
- timeout, 5xx, no connection: stop sending and probe Telegram with getMe, backing off
  exponentially with jitter. If Telegram was down, the rows go again at once, in order,
  when it is back; if it answered at once, the failure was the row's own, and only that
  row waits. Nothing is retried for more than `give_up_after`.
- 403, or 400 for a chat that is gone: never retried; the person is marked unreachable for
  the workers who count on her, and each worker is told once.
- any other 400 (our mistake): the row fails and is logged.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError

from bot.config import Settings
from bot.core import contacts
from bot.core.context import Core
from bot.delivery.pacing import Limits, Pacer
from bot.metrics import Metrics, priority_name
from bot.telegram.render import Outgoing, render
from storage.database import UnitOfWork
from storage.records import Member, OutboxItem

log = logging.getLogger("companera.delivery")

# 400 descriptions that mean the chat is gone, not that we sent something wrong.
_GONE = (
    "chat not found",
    "user not found",
    "peer_id_invalid",
    "user is deactivated",
    "bot was kicked",
    "not enough rights",
    "chat_write_forbidden",
    "have no rights",
)


def _default_of(setting: str) -> timedelta:
    """The default of a timing that is a setting: bot/config.py keeps it, in seconds."""
    return timedelta(seconds=Settings.model_fields[setting].default)


_GIVE_UP_AFTER = _default_of("delivery_give_up_seconds")
_SENT_TTL = _default_of("outbox_sent_ttl_seconds")
_FAILED_TTL = _default_of("outbox_failed_ttl_seconds")
_LEASE = _default_of("outbox_lease_seconds")


@dataclass(frozen=True)
class SenderSettings:
    """How the sender behaves; the defaults are Telegram's documented limits, and for the
    timings that are settings, bot/config.py's (bot/app.py sets the configured values)."""

    limits: Limits = field(default_factory=Limits)
    in_flight: int = 8  # requests at once, so that a slow network still allows 28 msg/s
    claim: int = 50  # rows taken from the database at a time
    keep: int = 200  # rows held in memory at most
    poll_seconds: float = 5.0  # look at the database even when nobody woke us
    backoff_first: float = 0.5
    backoff_max: float = 10.0
    give_up_after: timedelta = _GIVE_UP_AFTER
    sent_ttl: timedelta = _SENT_TTL
    failed_ttl: timedelta = _FAILED_TTL
    purge_every: float = 3600.0
    replica: str = "local"  # who holds the rows this sender claims
    lease: timedelta = _LEASE  # a dead replica's rows are free after this
    shared_pace: bool = False  # several replicas: the global pace is kept in the database
    ask_at_most: int = 5  # messages asked of the shared budget at a time


@dataclass
class _Row:
    item: OutboxItem
    to: Member

    @property
    def order(self) -> tuple[int, object, str]:
        return (self.item.priority, self.item.created_at, self.item.id)


class OutboxSender:
    def __init__(
        self,
        core: Core,
        bot: Bot,
        settings: SenderSettings | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self._core = core
        self._bot = bot
        self.settings = settings or SenderSettings()
        self.pacer = Pacer(self.settings.limits, shared=self.settings.shared_pace)
        self.metrics = metrics
        self._waiting: dict[str, _Row] = {}
        self._in_flight: dict[str, _Row] = {}
        self._busy_chats: set[int] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._more_in_db = True
        self._next_claim = 0.0
        self._lease_until: datetime | None = None  # of every row in our hands
        self._wanted_now = 0
        self._renew_failures = 0
        self._next_purge = 0.0
        self._probe: asyncio.Task[None] | None = None
        self._suspects: list[_Row] = []
        self.sent = 0
        self.too_many_requests = 0

    # -- the loop ---------------------------------------------------------------------------

    async def run(self) -> None:
        try:
            while not self._core.stopping.is_set():
                try:
                    wait = await self.step()
                except Exception as error:
                    log.error("outbox.error", extra={"error": type(error).__name__})
                    wait = 1.0
                await self._idle(wait)
        finally:
            await self._settle()

    async def step(self) -> float:
        """Claim if needed, start every send allowed now; returns how long to idle."""
        now = time.monotonic()
        if now >= self._next_purge:
            self._next_purge = now + self.settings.purge_every
            await self._purge()
        if self._lease_due():
            await self._renew()
        if self._core.outbox_changed.is_set() or self._should_claim(now):
            self._core.outbox_changed.clear()
            await self._claim()
        wait = self._dispatch()
        if self._wanted_now:
            await self._ask_budget()
            wait = self._dispatch()
        return wait

    async def drain(self, timeout: float = 10.0) -> None:
        """Send until nothing is pending or in flight (for tests and the demo)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._core.outbox_changed.set()
            wait = await self.step()
            if not self._waiting and not self._in_flight and not self._more_in_db:
                return
            await self._idle(min(wait, 0.05))
        raise TimeoutError("the outbox did not drain")

    def _should_claim(self, now: float) -> bool:
        if now >= self._next_claim:
            return True
        return self._more_in_db and len(self._waiting) < self.settings.claim // 2

    async def _idle(self, seconds: float) -> None:
        seconds = max(0.0, min(seconds, self._next_claim - time.monotonic()))
        self._wake.clear()
        changed = asyncio.ensure_future(self._core.outbox_changed.wait())
        woken = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({changed, woken}, timeout=seconds, return_when="FIRST_COMPLETED")
        finally:
            changed.cancel()
            woken.cancel()

    async def _settle(self) -> None:
        """On stop: let the sends in flight finish and record their outcome."""
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=5.0)
        if self._probe is not None:
            self._probe.cancel()
        held = list(self._waiting) + [row.item.id for row in self._suspects]
        if held:  # another replica, or this one restarted, takes them at once
            await self._record_all(lambda uow: uow.outbox.release(self.settings.replica, held))

    # -- taking rows ------------------------------------------------------------------------

    async def _claim(self) -> None:
        settings = self.settings
        skip = set(self._waiting) | set(self._in_flight) | {r.item.id for r in self._suspects}
        now = self._core.clock.now()
        async with self._core.db.unit_of_work() as uow:
            items = await uow.outbox.claim(
                now, settings.claim, settings.replica, settings.lease, skip
            )
            for item in items:
                member = await uow.members.get(item.recipient_id)
                if member is not None:
                    self._waiting[item.id] = _Row(item, member)
            later = await uow.outbox.next_due(now)
            await uow.commit()
        if items and self._lease_until is None:
            self._lease_until = now + settings.lease
        self._more_in_db = len(items) == settings.claim
        poll = settings.poll_seconds
        if later is not None:
            poll = min(poll, max(0.05, (later - now).total_seconds()))
        self._next_claim = time.monotonic() + poll
        if len(self._waiting) > settings.keep:  # the least urgent stay in the database
            for row in sorted(self._waiting.values(), key=lambda r: r.order)[settings.keep :]:
                del self._waiting[row.item.id]
            self._more_in_db = True

    def _dispatch(self) -> float:
        """Start as many sends as the limits allow now; returns when to look again."""
        pacer, settings = self.pacer, self.settings
        while True:
            if self._probe is not None or len(self._in_flight) >= settings.in_flight:
                return settings.poll_seconds  # a finished send or the probe wakes us
            if not self._leased():
                return 0.1  # renew first: the rows may no longer be ours
            now = pacer.now()
            ready = pacer.global_ready_at()
            if ready == math.inf:  # shared pace, nothing granted: ask if a row is ready
                self._wanted_now = self._ready_count(now, settings.ask_at_most)
                if self._wanted_now:
                    return 0.0
                _, soonest = self._most_urgent_ready(now)
                return (soonest - now) if soonest is not None else settings.poll_seconds
            if ready > now:
                return ready - now
            row, soonest = self._most_urgent_ready(now)
            if row is None:
                return (soonest - now) if soonest is not None else settings.poll_seconds
            pacer.take(row.to.chat_id)
            del self._waiting[row.item.id]
            self._in_flight[row.item.id] = row
            self._busy_chats.add(row.to.chat_id)
            task = asyncio.create_task(self._send(row), name="outbox.send")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def _ready_count(self, now: float, most: int) -> int:
        """How many rows could go now, were there slots (at most `most`)."""
        count, chats = 0, set(self._busy_chats)
        for row in self._waiting.values():
            chat_id = row.to.chat_id
            if chat_id not in chats and self.pacer.chat_ready_at(chat_id, now) <= now:
                chats.add(chat_id)
                count += 1
                if count >= most:
                    break
        return count

    async def _ask_budget(self) -> None:
        """Ask the pace shared with the other replicas for the rows ready now. A tolerance
        of one interval lets a replica that woke late catch up instead of losing its turn;
        with the shared rate a little under the global one, all replicas together send at
        most 30 messages in any second, jitter included."""
        wanted, self._wanted_now = self._wanted_now, 0
        interval = 1.0 / self.settings.limits.shared_rate
        async with self._core.db.unit_of_work() as uow:
            given = await uow.send_budget.take(wanted, interval, tolerance=interval)
            await uow.commit()
        self.pacer.grant(given.count, given.next_in)

    # -- leases -----------------------------------------------------------------------------

    def _held(self) -> list[str]:
        return [*self._waiting, *self._in_flight, *(row.item.id for row in self._suspects)]

    def _lease_due(self) -> bool:
        """Renew once a third of the lease has gone by."""
        if self._lease_until is None:
            return False
        if not self._held():
            self._lease_until = None
            return False
        return self._now() >= self._lease_until - self.settings.lease * 2 / 3

    def _leased(self) -> bool:
        """Whether our rows are surely still ours for the next send (a sixth of the lease)."""
        if self._lease_until is None:
            return True
        return self._now() < self._lease_until - self.settings.lease / 6

    async def _renew(self) -> None:
        """Extend the lease on every row in our hands; drop those we no longer hold."""
        now = self._now()
        held = self._held()
        try:
            async with self._core.db.unit_of_work() as uow:
                until = now + self.settings.lease
                kept = await uow.outbox.renew(held, self.settings.replica, until)
                await uow.commit()
        except Exception as error:  # the database is away: send nothing we may not hold
            self._renew_failures += 1
            if self._renew_failures in (1, 10) or self._renew_failures % 100 == 0:
                log.warning(
                    "outbox.renew_failed",
                    extra={"error": type(error).__name__, "tries": self._renew_failures},
                )
            return
        self._renew_failures = 0
        self._lease_until = now + self.settings.lease
        lost = [item_id for item_id in self._waiting if item_id not in kept]
        for item_id in lost:
            del self._waiting[item_id]
        if lost:
            log.warning("outbox.lease_lost", extra={"rows": len(lost)})

    def _most_urgent_ready(self, now: float) -> tuple[_Row | None, float | None]:
        soonest: float | None = None
        for row in sorted(self._waiting.values(), key=lambda r: r.order):
            chat_id = row.to.chat_id
            if chat_id in self._busy_chats:
                continue  # one message at a time per chat keeps them in order
            ready = self.pacer.chat_ready_at(chat_id, now)
            if ready <= now:
                return row, None
            soonest = ready if soonest is None else min(soonest, ready)
        return None, soonest

    # -- sending one row --------------------------------------------------------------------

    async def _send(self, row: _Row) -> None:
        item, to = row.item, row.to
        back_in_queue = False
        try:
            outgoing = render(item.payload["kind"], item.payload.get("params", {}), to)
        except Exception as error:  # a bug in rendering must not block the queue
            log.error("outbox.unrenderable", extra={"error": type(error).__name__})
            await self._fail(item, -1)
            self._done(row)
            return
        try:
            message_id = await self._deliver(outgoing, to.chat_id)
        except RetryAfter as error:
            self.too_many_requests += 1
            if self.metrics:
                self.metrics.too_many_requests.inc()
            seconds = _seconds(error.retry_after)
            if self.pacer.too_many_requests(to.chat_id, seconds):
                log.warning("outbox.global_429", extra={"seconds": seconds})
                if self.settings.shared_pace:  # every replica holds, not only this one
                    await self._record_all(lambda uow: uow.send_budget.hold(seconds))
            await self._record(item, lambda uow: uow.outbox.retry_at(item.id, self._now(), 429))
            back_in_queue = True
        except ChatMigrated:
            await self._undeliverable(item, to, 400)
        except Forbidden:
            await self._undeliverable(item, to, 403)
        except BadRequest as error:
            if any(reason in error.message.lower() for reason in _GONE):
                await self._undeliverable(item, to, 400)
            else:
                log.error("outbox.rejected", extra={"kind": item.payload["kind"]})
                await self._fail(item, 400)
        except TelegramError:  # timeouts, 5xx, no connection
            await self._failed_attempt(row)
            return
        else:
            self.sent += 1
            self._count_sent(item)
            await self._record(
                item, lambda uow: uow.outbox.mark_sent(item.id, self._now(), message_id)
            )
        self._done(row, back_in_queue)

    async def _fail(self, item: OutboxItem, code: int) -> None:
        """Never to be sent: the person is gone, Telegram refused it, or it is too late."""
        if self.metrics:
            self.metrics.failed.inc()
        await self._record(item, lambda uow: uow.outbox.mark_failed(item.id, self._now(), code))

    def _count_sent(self, item: OutboxItem) -> None:
        if self.metrics is None:
            return
        self.metrics.sent.labels(priority_name(item.priority)).inc()
        if item.payload["kind"] == "alert":
            self.metrics.alerts.inc()
            delay = (self._now() - item.created_at).total_seconds()
            self.metrics.alert_delay.observe(max(0.0, delay))

    def _done(self, row: _Row, back_in_queue: bool = False) -> None:
        self._in_flight.pop(row.item.id, None)
        self._busy_chats.discard(row.to.chat_id)
        if back_in_queue:
            self._waiting[row.item.id] = row
        self._wake.set()

    async def _deliver(self, part: Outgoing, chat_id: int) -> int:
        """Send one message; its id in the chat."""
        if part.location is not None:
            sent = await self._bot.send_location(
                chat_id, part.location[0], part.location[1], protect_content=part.protect
            )
        else:
            sent = await self._bot.send_message(
                chat_id, part.text or "", reply_markup=part.markup, protect_content=part.protect
            )
        return sent.message_id

    async def _undeliverable(self, item: OutboxItem, to: Member, code: int) -> None:
        """Blocked, deleted or gone: never retried; the workers who count on her are told."""
        log.warning("outbox.undeliverable", extra={"code": code, "kind": item.payload["kind"]})
        await self._fail(item, code)
        await contacts.member_unreachable(self._core, to.id)

    # -- Telegram unreachable ---------------------------------------------------------------

    async def _failed_attempt(self, row: _Row) -> None:
        """A timeout or a 5xx: count the attempt, stop sending and find out what failed."""
        item = row.item
        if self._core.clock.now() - item.created_at > self.settings.give_up_after:
            log.warning("outbox.gave_up", extra={"kind": item.payload["kind"]})
            await self._fail(item, 0)
            self._done(row)
            return
        await self._record(item, lambda uow: uow.outbox.retry_at(item.id, self._now(), 0))
        self._in_flight.pop(item.id, None)
        self._busy_chats.discard(row.to.chat_id)
        self._suspects.append(row)
        if self._probe is None:
            self._probe = asyncio.create_task(self._probe_until_back(), name="outbox.probe")

    async def _probe_until_back(self) -> None:
        failures = 0
        try:
            while not self._core.stopping.is_set():
                await asyncio.sleep(self._backoff(failures))
                try:
                    await self._bot.get_me()
                    break
                except TelegramError:
                    failures += 1
                    if failures in (1, 5) or failures % 30 == 0:
                        log.warning("outbox.telegram_unreachable", extra={"probes": failures})
            await self._after_probe(failures)
        finally:
            self._probe = None
            self._wake.set()

    async def _after_probe(self, failures: int) -> None:
        suspects, self._suspects = self._suspects, []
        if failures:  # Telegram was down: everything goes again at once, in order
            log.info("outbox.telegram_back", extra={"probes": failures})
            for row in suspects:
                self._waiting[row.item.id] = row
            return
        for row in suspects:  # Telegram was fine: those rows failed on their own
            item = row.item
            when = self._now() + timedelta(seconds=self._backoff(item.attempts + 1))
            await self._record(item, _retry(item.id, when))

    def _backoff(self, failures: int) -> float:
        settings = self.settings
        delay = min(settings.backoff_max, settings.backoff_first * 2**failures)
        return delay * random.uniform(0.8, 1.2)

    # -- bookkeeping ------------------------------------------------------------------------

    async def _record(
        self, item: OutboxItem, change: Callable[[UnitOfWork], Awaitable[object]]
    ) -> None:
        """Write a row's outcome; a busy database is retried, since a lost `sent` repeats
        the message."""
        if not await self._record_all(change):
            log.error("outbox.record_failed", extra={"row": item.id[:8]})

    async def _record_all(self, change: Callable[[UnitOfWork], Awaitable[object]]) -> bool:
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

    async def _purge(self) -> None:
        now = self._now()
        async with self._core.db.unit_of_work() as uow:
            gone = await uow.outbox.purge(
                now - self.settings.sent_ttl, now - self.settings.failed_ttl
            )
            await uow.commit()
        if gone:
            log.info("outbox.purged", extra={"rows": gone})

    def _now(self) -> datetime:
        return self._core.clock.now()


def _retry(item_id: str, when: datetime) -> Callable[[UnitOfWork], Awaitable[None]]:
    return lambda uow: uow.outbox.retry_at(item_id, when, 0)


def _seconds(value: object) -> float:
    seconds = getattr(value, "total_seconds", None)
    return float(seconds()) if callable(seconds) else float(value)  # type: ignore[arg-type]
