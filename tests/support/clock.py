"""A clock that moves only when a test says so, and that knows who is asleep on it."""

from __future__ import annotations

import asyncio
import weakref
from datetime import UTC, datetime, timedelta


class FakeClock:
    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
        self._tick = asyncio.Event()
        # Every task that ever slept here (the scheduler, housekeeping), and, for those
        # asleep right now, until when and on which wake-up event.
        self._loops: weakref.WeakSet[asyncio.Task[object]] = weakref.WeakSet()
        self._asleep: dict[asyncio.Task[object], tuple[datetime | None, asyncio.Event]] = {}

    def now(self) -> datetime:
        return self._now

    async def sleep_until(self, when: datetime | None, wake: asyncio.Event) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._loops.add(task)
            self._asleep[task] = (when, wake)
        try:
            while not wake.is_set() and (when is None or self._now < when):
                tick = self._tick
                waiters = {
                    asyncio.ensure_future(wake.wait()),
                    asyncio.ensure_future(tick.wait()),
                }
                try:
                    await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    for waiter in waiters:
                        waiter.cancel()
        finally:
            if task is not None:
                self._asleep.pop(task, None)

    async def advance(self, **delta: float) -> None:
        """Move time forward and let every sleeper look at the new time."""
        self._now += timedelta(**delta)
        tick, self._tick = self._tick, asyncio.Event()
        tick.set()
        for _ in range(5):
            await asyncio.sleep(0)

    def awake(self) -> list[str]:
        """The names of the loops that sleep on this clock and are not asleep until later:
        working, or about to wake (their time has come, or their event is set). A loop
        that ended is not counted."""
        found = []
        for task in list(self._loops):
            if task.done():
                continue
            asleep = self._asleep.get(task)
            if asleep is None:
                found.append(task.get_name())
                continue
            when, wake = asleep
            if wake.is_set() or (when is not None and when <= self._now):
                found.append(task.get_name())
        return sorted(found)
