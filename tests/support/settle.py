"""Waiting until a bot has done everything it can do now, instead of sleeping and hoping.

A test that asserts that something does *not* happen, or that moves a fake clock, must
first know that the bot is done with what it had in hand. It is done when, at once:

(a) the emulator holds no update for it: each one was acknowledged (polling) or answered
    (webhook), which the bot does only after committing its effects (python-telegram-bot's
    Updater, were it used, acknowledges a batch as soon as it has queued it: then its
    queue must be empty too, every update taken out of it handled);
(b) no check-in is due at the clock's now, and every loop that sleeps on the fake clock
    (the scheduler, housekeeping) is asleep until later, not working or about to wake;
(c) no outbox row may go now (pending, and not held back until later), unless Telegram is
    down, and no send is between Telegram's answer and the row's record.

Each probe looks at one of these and says, in words, what is still busy. `settle` asks all
of them again and again until every one is quiet in two rounds in a row, and fails after
`timeout` seconds naming what was still busy. Work passes from one probe's view to
another's inside a transaction (an update's handler queues its replies in the commit that
acknowledges it; a timer's step queues its alert in the commit that moves it on), so one
quiet round is already the truth; the second covers the few hand-overs that are not
atomic, such as a failed send telling the worker in a transaction of its own. The pause
between rounds only sets how often the database is read: no window of time is assumed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.emulator import Emulator
from storage.models import CheckInRow, OutboxRow
from tests.support.clock import FakeClock

Probe = Callable[[], Awaitable[list[str]]]
TIMEOUT = 30.0
PAUSE = 0.02  # between rounds: how often to look, not how long to trust a silence


class Reader:
    """Reads a bot's database on connections of its own. On SQLite every transaction of
    the bot begins IMMEDIATE, taking the writer lock; these reads take no lock at all (WAL),
    so looking often does not hold the bot back."""

    def __init__(self, url: str) -> None:
        self._engine: AsyncEngine = create_async_engine(url)

    async def due(self, now: datetime) -> tuple[int, int]:
        """Check-ins whose next step is due at `now`; outbox rows that may go at `now`."""
        async with self._engine.connect() as connection:
            timers = await connection.scalar(
                select(func.count())
                .select_from(CheckInRow)
                .where(CheckInRow.next_action_at <= now)
            )
            messages = await connection.scalar(
                select(func.count())
                .select_from(OutboxRow)
                .where(OutboxRow.status == "pending", OutboxRow.not_before <= now)
            )
        return int(timers or 0), int(messages or 0)

    async def close(self) -> None:
        await self._engine.dispose()


def updates(emulator: Emulator, application: object | None = None) -> Probe:
    """(a): updates the bot has not acknowledged, or taken and not yet handled."""

    async def busy() -> list[str]:
        found = []
        pending = len(emulator.updates.pending)
        if pending:
            found.append(f"{pending} updates not yet acknowledged or answered by the bot")
        # python-telegram-bot's Updater: queued updates count as unfinished until the
        # Application has handled them (task_done). Without the Updater nothing is queued.
        queue = getattr(application, "update_queue", None)
        taken = int(getattr(queue, "_unfinished_tasks", 0))
        if taken:
            found.append(f"{taken} updates taken from Telegram and not yet handled")
        return found

    return busy


def database(
    reader: Reader,
    now: Callable[[], datetime],
    emulator: Emulator,
    clock: FakeClock | None = None,
    sender: object | None = None,
) -> Probe:
    """(b) and (c): due check-ins and the loops of the fake clock; messages that may go."""

    async def busy() -> list[str]:
        found = []
        if clock is not None and (awake := clock.awake()):
            found.append(f"awake on the clock: {', '.join(awake)}")
        at = now()
        timers, messages = await reader.due(at)
        if timers:
            found.append(f"{timers} check-ins due at {at:%Y-%m-%d %H:%M:%S}")
        if messages and not emulator.in_outage:  # during an outage they wait for Telegram
            found.append(f"{messages} outbox rows that may be sent now")
        # A send that Telegram has answered is recorded in a transaction of its own, and a
        # gone chat is then reported to the workers in another: the sender's task for it
        # lives until both are done.
        sending = len(getattr(sender, "_tasks", ()))
        if sending:
            found.append(f"{sending} sends not yet recorded")
        return found

    return busy


async def settle(probes: Sequence[Probe], timeout: float = TIMEOUT) -> None:
    """Return once every probe is quiet in two rounds in a row; AssertionError naming what
    was still busy after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    quiet = 0
    busy: list[str] = []
    while True:
        now_busy = [what for probe in probes for what in await probe()]
        if now_busy:
            quiet, busy = 0, now_busy
        else:
            quiet += 1
            if quiet == 2:
                return
        if loop.time() > deadline:
            raise AssertionError(f"the bot was still busy after {timeout} s: {'; '.join(busy)}")
        await asyncio.sleep(PAUSE)


async def eventually(
    condition: Callable[[], bool | Awaitable[bool]], what: str, timeout: float = TIMEOUT
) -> None:
    """Wait until `condition()` holds, for a state that no probe covers (looked at every
    PAUSE seconds); AssertionError saying `what` was awaited after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        held = condition()
        if not isinstance(held, bool):
            held = await held
        if held:
            return
        if loop.time() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        await asyncio.sleep(PAUSE)


async def settle_process(emulator: Emulator, url: str, timeout: float = TIMEOUT) -> None:
    """Settle a bot that runs in another process on the real clock (test_durability.py):
    its database and the emulator are all that can be seen of it. An update it has taken
    is seen until it acknowledges it, which the bot's own polling does after the commit."""
    reader = Reader(url)
    try:
        await settle(
            [updates(emulator), database(reader, lambda: datetime.now(UTC), emulator)],
            timeout,
        )
    finally:
        await reader.close()
