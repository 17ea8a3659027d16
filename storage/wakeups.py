"""Wake-ups between replicas, over PostgreSQL's LISTEN/NOTIFY.

A replica that commits a new or moved timer, or new messages, notifies the others in the
same transaction (PostgreSQL delivers it at the commit, and never for a rollback). Every
replica listens on a connection of its own and wakes its scheduler or its sender. A
notification lost while the listener reconnects costs only latency: the loops also look
at the database on their own every few seconds."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import asyncpg
from sqlalchemy import TextClause, text
from sqlalchemy.engine import URL

log = logging.getLogger("companera.wakeups")
TIMERS, OUTBOX = "companera_timers", "companera_outbox"
_NOTIFY = {
    (TIMERS,): text(f"SELECT pg_notify('{TIMERS}', '')"),
    (OUTBOX,): text(f"SELECT pg_notify('{OUTBOX}', '')"),
    (TIMERS, OUTBOX): text(f"SELECT pg_notify('{TIMERS}', ''), pg_notify('{OUTBOX}', '')"),
}


def channels(timers_changed: bool, outbox_changed: bool) -> list[str]:
    return [c for c, changed in ((TIMERS, timers_changed), (OUTBOX, outbox_changed)) if changed]


def notify(names: list[str]) -> TextClause | None:
    """One statement that wakes the loops listening on `names` at the commit (None: none)."""
    return _NOTIFY.get(tuple(names))


class Listener:
    """Calls `on[channel]()` whenever another replica (or this one) notifies `channel`."""

    def __init__(self, url: URL, on: dict[str, Callable[[], None]]) -> None:
        self._dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._on = on
        self.listening = asyncio.Event()

    async def run(self, stopping: asyncio.Event) -> None:
        failures = 0
        while not stopping.is_set():
            try:
                await self._listen(stopping)
                failures = 0
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
                failures += 1
                if failures in (1, 5) or failures % 60 == 0:
                    log.warning("wakeups.reconnect", extra={"error": type(error).__name__})
            self.listening.clear()
            if not stopping.is_set():
                await _sleep_or(stopping, min(10.0, 0.5 * 2**failures))

    async def _listen(self, stopping: asyncio.Event) -> None:
        connection = await asyncpg.connect(self._dsn, timeout=10)
        lost = asyncio.Event()
        try:
            connection.add_termination_listener(lambda _connection: lost.set())
            for channel, callback in self._on.items():
                await connection.add_listener(channel, _caller(callback))
            self.listening.set()
            for callback in self._on.values():  # whatever was notified while we were away
                callback()
            stopped = asyncio.ensure_future(stopping.wait())
            gone = asyncio.ensure_future(lost.wait())
            try:
                await asyncio.wait({stopped, gone}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                stopped.cancel()
                gone.cancel()
            if lost.is_set():
                raise asyncpg.InterfaceError("the listening connection was lost")
        finally:
            if not connection.is_closed():
                await connection.close(timeout=2)


def _caller(callback: Callable[[], None]) -> Callable[..., None]:
    return lambda *_notification: callback()


async def _sleep_or(event: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(event.wait(), seconds)
    except TimeoutError:
        pass
