"""The outbox sender: the one place that sends messages to Telegram.

Every message, an alert or the answer to /help, is a row in the outbox first. The sender
keeps the most urgent rows in memory (alert > SOS > reminder > reply > broadcast), sends
them within Telegram's limits with several requests in flight, and marks a row sent only
after Telegram accepted it. Delivery is at least once: a crash between acceptance and the
commit repeats the same message, never a different one. During a flood of alerts, a reply
goes after at most `reply_after` more urgent messages: a member who writes is answered
between them.

This module is the loop: which row goes next, and when. The rest lives beside it:
- claims.py: taking rows from the database, holding them, their leases.
- attempts.py: one row's Bot API calls (deleting her message first, for some replies)
  and what is recorded after them.
- answers.py: what each of Telegram's answers means (sent, 429, down, gone, our mistake).
- probe.py: finding out whether Telegram is down after a timeout or a 5xx.
- pacing.py: Telegram's limits, kept on our side.
- ledger.py: writing outcomes, retried while the database is busy.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time

from telegram import Bot

from bot.core.context import Core
from bot.core.notifications import Priority
from bot.delivery.attempts import Attempts
from bot.delivery.claims import Claims, Row
from bot.delivery.ledger import Ledger
from bot.delivery.pacing import Pacer
from bot.delivery.probe import Probe
from bot.delivery.settings import SenderSettings
from bot.metrics import Metrics

__all__ = ["OutboxSender", "SenderSettings"]

log = logging.getLogger("companera.delivery")
CLAIM_GAP = 0.05  # seconds: rows queued meanwhile wait at most this long for a claim


class OutboxSender:
    def __init__(
        self,
        core: Core,
        bot: Bot,
        settings: SenderSettings | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self._core = core
        self.settings = settings or SenderSettings()
        self.pacer = Pacer(self.settings.limits, shared=self.settings.shared_pace)
        self.metrics = metrics
        self._wake = asyncio.Event()
        self._claims = Claims(core, self.settings)
        self._ledger = Ledger(core, self.settings)
        self._probe = Probe(core, bot, self.settings, self._claims, self._ledger, self._wake)
        self._attempts = Attempts(
            core,
            bot,
            self.settings,
            self.pacer,
            self._claims,
            self._ledger,
            self._probe,
            metrics,
            self._wake,
        )
        self._tasks: set[asyncio.Task[None]] = set()
        self._wanted_now = 0
        self._claim_wanted = False  # rows were queued since the last claim
        self._last_claim = -CLAIM_GAP
        self._next_purge = 0.0
        # More urgent messages sent while a reply waited, since the last reply went: once
        # `reply_after` have passed it, the reply goes ahead of the rest.
        self._since_reply = 0

    @property
    def sent(self) -> int:
        """Messages Telegram accepted from this sender."""
        return self._attempts.sent

    @property
    def too_many_requests(self) -> int:
        """429 answers this sender received."""
        return self._attempts.too_many_requests

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
            await self._ledger.purge()
        if self._claims.lease_due():
            await self._claims.renew()
        if self._core.outbox_changed.is_set():
            self._core.outbox_changed.clear()
            self._claim_wanted = True
        # Rows queued in a burst (a hundred updates a second) are taken together: at most
        # one look at the database per CLAIM_GAP for them, not one per update.
        if (
            self._claim_wanted and now >= self._last_claim + CLAIM_GAP
        ) or self._claims.should_claim(now):
            self._claim_wanted = False
            self._last_claim = now
            await self._claims.claim()
        wait = self._dispatch()
        if self._wanted_now:
            await self._ask_budget()
            wait = self._dispatch()
        if self._claim_wanted:
            wait = min(wait, self._last_claim + CLAIM_GAP - now)
        return wait

    async def drain(self, timeout: float = 10.0) -> None:
        """Send until nothing is pending or in flight (for tests and the demo)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._core.outbox_changed.set()
            self._last_claim = -CLAIM_GAP  # look now: the rows may have been queued just now
            wait = await self.step()
            if self._claims.idle():
                return
            await self._idle(min(wait, 0.05))
        raise TimeoutError("the outbox did not drain")

    async def _idle(self, seconds: float) -> None:
        seconds = max(0.0, min(seconds, self._claims.next_claim - time.monotonic()))
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
        self._probe.cancel()
        held = self._claims.unsent()
        if held:  # another replica, or this one restarted, takes them at once
            replica = self.settings.replica
            await self._ledger.record_all(lambda uow: uow.outbox.release(replica, held))

    # -- which row goes next ----------------------------------------------------------------

    def _dispatch(self) -> float:
        """Start as many sends as the limits allow now; returns when to look again."""
        pacer, settings, claims = self.pacer, self.settings, self._claims
        while True:
            if self._probe.running or len(claims.in_flight) >= settings.in_flight:
                return settings.poll_seconds  # a finished send or the probe wakes us
            if not claims.leased():
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
            self._start(row)

    def _start(self, row: Row) -> None:
        """Spend the row's pace and send it in a task of its own."""
        self.pacer.take(row.to.chat_id)
        self._claims.start(row)
        if row.is_reply:
            self._since_reply = 0
        elif row.item.priority < Priority.INTERACTIVE and any(
            waiting.is_reply for waiting in self._claims.waiting.values()
        ):
            self._since_reply += 1
        task = asyncio.create_task(self._attempts.make(row), name="outbox.send")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _most_urgent_ready(self, now: float) -> tuple[Row | None, float | None]:
        """The most urgent row whose chat may take a message now; else when one will."""
        soonest: float | None = None
        claims = self._claims
        rows = sorted(claims.waiting.values(), key=lambda r: r.order)
        if self._since_reply >= self.settings.reply_after:
            # A reply between alerts: the oldest one whose chat may take it now goes first.
            for row in rows:
                chat_id = row.to.chat_id
                if row.is_reply and chat_id not in claims.busy_chats:
                    if self.pacer.chat_ready_at(chat_id, now) <= now:
                        return row, None
        for row in rows:
            chat_id = row.to.chat_id
            if chat_id in claims.busy_chats:
                continue  # one message at a time per chat keeps them in order
            ready = self.pacer.chat_ready_at(chat_id, now)
            if ready <= now:
                return row, None
            soonest = ready if soonest is None else min(soonest, ready)
        return None, soonest

    def _ready_count(self, now: float, most: int) -> int:
        """How many rows could go now, were there slots (at most `most`)."""
        count, chats = 0, set(self._claims.busy_chats)
        for row in self._claims.waiting.values():
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
