"""What every use case needs: the database, the clock, the policy, and who to wake."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from bot.core.clock import Clock
from bot.core.notifications import Notification
from bot.core.timers import Policy
from storage.database import Database, UnitOfWork


@dataclass(frozen=True)
class Refused:
    """An expected refusal: a catalog key for the member, and safe parameters."""

    reason: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Limits:
    max_contacts: int = 5
    invite_ttl_seconds: int = 86400
    default_timezone: str = "America/Mexico_City"
    network_pass_ttl_seconds: int = 7 * 86400
    checks_per_hour: int = 20
    member_idle_days: int = 180
    idle_notice_days: int = 7


@dataclass
class Core:
    """Passed to every service function; built once at start."""

    db: Database
    clock: Clock
    policy: Policy = field(default_factory=Policy)
    limits: Limits = field(default_factory=Limits)
    timers_changed: asyncio.Event = field(default_factory=asyncio.Event)
    outbox_changed: asyncio.Event = field(default_factory=asyncio.Event)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)

    def stop(self) -> None:
        """Ask the loops to finish their current transaction and return."""
        self.stopping.set()
        self.timers_changed.set()
        self.outbox_changed.set()

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[UnitOfWork]:
        """One transaction: commits when the block succeeds, then wakes the loops."""
        async with self.db.unit_of_work() as uow:
            yield uow
            await uow.commit()
        self.timers_changed.set()
        self.outbox_changed.set()


async def notify(uow: UnitOfWork, core: Core, notification: Notification) -> bool:
    """Queue a notification in the outbox, in the caller's transaction."""
    return await uow.outbox.add(
        notification.key,
        notification.recipient_id,
        int(notification.priority),
        notification.payload(),
        core.clock.now(),
    )


async def notify_many(uow: UnitOfWork, core: Core, notifications: list[Notification]) -> int:
    """Queue many notifications in the caller's transaction, in a few statements; returns how
    many were new."""
    return await uow.outbox.add_many(
        [(n.key, n.recipient_id, int(n.priority), n.payload()) for n in notifications],
        core.clock.now(),
    )


async def tell(core: Core, notification: Notification) -> bool:
    """Queue one notification in a transaction of its own."""
    async with core.unit() as uow:
        return await notify(uow, core, notification)
