"""What every use case needs: one unit of work, the clock, the rules, and who to wake."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from bot.core.clock import Clock
from bot.core.notifications import Notification
from bot.core.ports import Database, UnitOfWork
from bot.core.timers import Policy

if TYPE_CHECKING:
    from bot.core.network_config import AlertAdvice

DB = TypeVar("DB", bound=Database)


@dataclass(frozen=True)
class Refused:
    """An expected refusal: a catalog key for the member, and safe parameters."""

    reason: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Limits:
    """How much of what a member may do, and for how long things are kept. No defaults:
    they are settings (bot/config.py), and `limits_from` in bot/app.py builds this."""

    max_contacts: int
    invite_ttl_seconds: int
    default_timezone: str
    network_pass_ttl_seconds: int
    checks_per_hour: int
    warnings_per_day: int
    warnings_burst: int
    warnings_burst_seconds: int
    member_idle_days: int
    idle_notice_days: int
    alert_advice: AlertAdvice | None = None  # ALERT_ADVICE: for workers in no network with its own


@dataclass
class Core(Generic[DB]):
    """The process's services, built once at start: the database, the clock, the rules, and
    the events that wake the loops. The core asks `db` only for units of work (the port);
    the adapters that need more of storage (the sender's claims) see it as `Core[Database]`
    of storage.database."""

    db: DB
    clock: Clock
    policy: Policy
    limits: Limits
    # Chance, where a rule asks for it (when a warning is published); tests give their own.
    chance: random.Random = field(default_factory=random.SystemRandom)
    timers_changed: asyncio.Event = field(default_factory=asyncio.Event)
    outbox_changed: asyncio.Event = field(default_factory=asyncio.Event)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)

    def stop(self) -> None:
        """Ask the loops to finish their current transaction and return."""
        self.stopping.set()
        self.timers_changed.set()
        self.outbox_changed.set()

    def work(self) -> Work:
        """A unit of work that its opener commits (an update's, a loop's pass)."""
        return Work(self.db.unit_of_work(), self)

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[Work]:
        """A unit of work of its own: commits when the block succeeds, rolls back if not."""
        async with self.work() as work:
            yield work
            await work.commit()


class Work:
    """One transaction's repositories, with the clock and the rules: what a use case is
    given. Use cases never commit; whoever opened the unit of work does, once, and the loops
    are woken only when it added or moved a timer or queued a message."""

    def __init__(self, uow: UnitOfWork, core: Core[Any]) -> None:
        self.uow = uow
        self.core = core
        self.clock = core.clock
        self.policy = core.policy
        self.limits = core.limits
        self.members = uow.members
        self.invites = uow.invites
        self.contacts = uow.contacts
        self.checkins = uow.checkins
        self.outbox = uow.outbox
        self.safety = uow.safety
        self.networks = uow.networks
        self.warnings = uow.warnings
        self.updates = uow.updates
        self.shifts = uow.shifts
        self.private_record = uow.private_record
        self.support = uow.support
        self.notes = uow.notes

    async def __aenter__(self) -> Work:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.uow.__aexit__(None, None, None)

    def now(self) -> datetime:
        return self.clock.now()

    async def notify(self, notification: Notification) -> bool:
        """Queue a notification in this transaction; False when its key was used already."""
        return await self.outbox.add(
            notification.idempotency_key,
            notification.recipient_id,
            int(notification.priority),
            notification.to_payload(),
            self.clock.now(),
        )

    async def notify_many(
        self, notifications: Sequence[Notification], not_before: datetime | None = None
    ) -> int:
        """Queue many notifications in a few statements, held back until `not_before` if
        given; returns how many were new."""
        return await self.outbox.add_many(
            [
                (n.idempotency_key, n.recipient_id, int(n.priority), n.to_payload())
                for n in notifications
            ],
            self.clock.now(),
            not_before,
        )

    async def commit(self) -> None:
        """Commit, then wake the scheduler if a timer was added or moved, and the sender if
        messages were queued."""
        timers, outbox = self.checkins.changed, self.outbox.changed
        await self.uow.commit()
        self.checkins.changed = self.outbox.changed = False
        if timers:
            self.core.timers_changed.set()
        if outbox:
            self.core.outbox_changed.set()

    async def rollback(self) -> None:
        """Forget everything done so far; the unit of work can be used again."""
        await self.uow.rollback()
        self.checkins.changed = self.outbox.changed = False
