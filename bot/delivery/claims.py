"""The outbox rows in one sender's hands, and the leases that keep them its own.

A row is claimed from the database with a lease (`SenderSettings.lease`); while the sender
holds it, the lease is renewed every third of its length, and a row whose lease was lost
(the database was away, another replica took it) is dropped from memory, never sent. At a
stop the rows not yet sent are released, so that another replica takes them at once.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime

from bot.core.context import Core
from bot.core.notifications import Priority
from bot.core.records import Member, OutboxItem
from bot.delivery.settings import SenderSettings

log = logging.getLogger("companera.delivery")


@dataclass
class Row:
    """An outbox row in our hands, with the member it goes to."""

    item: OutboxItem
    to: Member

    @property
    def order(self) -> tuple[int, object, str]:
        return (self.item.priority, self.item.created_at, self.item.id)

    @property
    def is_reply(self) -> bool:
        """The answer to an update of someone using the bot now (/help, a button): it may
        go between alerts. A drill's alert, a notice or a broadcast may not."""
        return self.item.priority == Priority.INTERACTIVE and self.item.payload.get("kind") == (
            "reply"
        )


class Claims:
    """The rows held: waiting to go, in flight, or suspect (their send failed while Telegram
    may have been down), and the chats with a request in flight."""

    def __init__(self, core: Core, settings: SenderSettings) -> None:
        self._core = core
        self._settings = settings
        self.waiting: dict[str, Row] = {}
        self.in_flight: dict[str, Row] = {}
        self.busy_chats: set[int] = set()
        self.suspects: list[Row] = []
        self.more_in_db = True
        self.next_claim = 0.0  # monotonic time of the next look at the database
        self._lease_until: datetime | None = None  # of every row in our hands
        self._renew_failures = 0

    # -- taking rows ------------------------------------------------------------------------

    def should_claim(self, now: float) -> bool:
        if now >= self.next_claim:
            return True
        return self.more_in_db and len(self.waiting) < self._settings.claim // 2

    async def claim(self) -> None:
        """Take the most urgent rows that may go now; plan the next look at the database."""
        settings = self._settings
        skip = set(self.waiting) | set(self.in_flight) | {r.item.id for r in self.suspects}
        now = self._core.clock.now()
        async with self._core.db.unit_of_work() as uow:
            items = await uow.outbox.claim(
                now, settings.claim, settings.replica, settings.lease, skip
            )
            full = len(items) == settings.claim
            if full and items[-1].priority < Priority.INTERACTIVE and settings.replies_claim:
                # A flood of more urgent rows: the oldest replies come too, to go between
                # them (OutboxSender._most_urgent_ready), whatever the flood's size.
                skip |= {item.id for item in items}
                items += await uow.outbox.claim(
                    now,
                    settings.replies_claim,
                    settings.replica,
                    settings.lease,
                    skip,
                    priority=Priority.INTERACTIVE,
                )
            for item in items:
                member = await uow.members.get(item.recipient_id)
                if member is not None:
                    self.waiting[item.id] = Row(item, member)
            later = await uow.outbox.next_due(now)
            await uow.commit()
        if items and self._lease_until is None:
            self._lease_until = now + settings.lease
        self.more_in_db = full
        poll = settings.poll_seconds
        if later is not None:
            poll = min(poll, max(0.05, (later - now).total_seconds()))
        self.next_claim = time.monotonic() + poll
        if len(self.waiting) > settings.keep:  # the least urgent stay in the database
            # Replies first: they are few, and stay to go between alerts.
            rows = sorted(self.waiting.values(), key=lambda r: (not r.is_reply, r.order))
            for row in rows[settings.keep :]:
                del self.waiting[row.item.id]
            self.more_in_db = True

    # -- moving rows ------------------------------------------------------------------------

    def start(self, row: Row) -> None:
        """A request for the row is going: it is in flight, and so is its chat."""
        del self.waiting[row.item.id]
        self.in_flight[row.item.id] = row
        self.busy_chats.add(row.to.chat_id)

    def done(self, row: Row, back_in_queue: bool = False) -> None:
        """Its request is over; the row waits again if it is to go again soon (a 429)."""
        self.in_flight.pop(row.item.id, None)
        self.busy_chats.discard(row.to.chat_id)
        if back_in_queue:
            self.waiting[row.item.id] = row

    def suspect(self, row: Row) -> None:
        """Its request failed and Telegram may be down: held apart until the probe knows."""
        self.in_flight.pop(row.item.id, None)
        self.busy_chats.discard(row.to.chat_id)
        self.suspects.append(row)

    def take_suspects(self) -> list[Row]:
        suspects, self.suspects = self.suspects, []
        return suspects

    def idle(self) -> bool:
        """Nothing waits, nothing is in flight, and the database said it had no more."""
        return not self.waiting and not self.in_flight and not self.more_in_db

    def unsent(self) -> list[str]:
        """The rows to give back at a stop: the waiting ones and the suspects."""
        return list(self.waiting) + [row.item.id for row in self.suspects]

    # -- leases -----------------------------------------------------------------------------

    def held(self) -> list[str]:
        return [*self.waiting, *self.in_flight, *(row.item.id for row in self.suspects)]

    def lease_due(self) -> bool:
        """Renew once a third of the lease has gone by."""
        if self._lease_until is None:
            return False
        if not self.held():
            self._lease_until = None
            return False
        return self._core.clock.now() >= self._lease_until - self._settings.lease * 2 / 3

    def leased(self) -> bool:
        """Whether our rows are surely still ours for the next send (a sixth of the lease)."""
        if self._lease_until is None:
            return True
        return self._core.clock.now() < self._lease_until - self._settings.lease / 6

    async def renew(self) -> None:
        """Extend the lease on every row in our hands; drop those we no longer hold."""
        now = self._core.clock.now()
        settings, held = self._settings, self.held()
        try:
            async with self._core.db.unit_of_work() as uow:
                until = now + settings.lease
                kept = await uow.outbox.renew(held, settings.replica, until)
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
        self._lease_until = now + settings.lease
        lost = [item_id for item_id in self.waiting if item_id not in kept]
        for item_id in lost:
            del self.waiting[item_id]
        if lost:
            log.warning("outbox.lease_lost", extra={"rows": len(lost)})
