"""A clock that moves only when a test says so."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta


class FakeClock:
    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
        self._tick = asyncio.Event()

    def now(self) -> datetime:
        return self._now

    async def sleep_until(self, when: datetime | None, wake: asyncio.Event) -> None:
        while not wake.is_set() and (when is None or self._now < when):
            tick = self._tick
            waiters = {asyncio.ensure_future(wake.wait()), asyncio.ensure_future(tick.wait())}
            try:
                await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for waiter in waiters:
                    waiter.cancel()

    async def advance(self, **delta: float) -> None:
        """Move time forward and let every sleeper look at the new time."""
        self._now += timedelta(**delta)
        tick, self._tick = self._tick, asyncio.Event()
        tick.set()
        for _ in range(5):
            await asyncio.sleep(0)
