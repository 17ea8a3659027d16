"""Webhook updates, handled once each: the ledger of update ids, and one person at a time.

Telegram retries a webhook call that failed or timed out, and several replicas may be
handed updates of the same person at once. `UpdateLedger.handling` answers both:
- the same person's updates are handled one at a time, across replicas (a PostgreSQL
  advisory lock on a blind index of her Telegram id, held until the update is done);
- an update whose effects were committed is recorded in the same breath, and a retry of it
  is answered without handling it again;
- on PostgreSQL the record is written first, in a transaction held open while the update is
  handled: a second delivery of the same update waits on it, then finds it done; if the
  replica dies half-way, PostgreSQL rolls the record back at once and the retry is handled.
Only update ids are kept, for a day (Telegram gives up on an update after 24 hours)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from sqlalchemy import delete, func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.database import Database
from storage.models import HandledUpdate

PERSON_LOCK = "update-lock"  # its own label: unrelated to the members' stored index
_WAIT_FOR_SAME_PERSON = "20s"  # longer, and the update is answered 503 and comes back


class UpdateRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def purge(self, before: datetime) -> int:
        result = await self._session.execute(
            delete(HandledUpdate).where(HandledUpdate.handled_at < before)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


class UpdateLedger:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._people = _KeyedLocks()

    def person_key(self, user_id: int) -> int:
        """A signed 64-bit lock key from a blind index of her Telegram id: the lock table
        shows no id."""
        index = self._db.keyring.blind_index(PERSON_LOCK, str(user_id))
        return int.from_bytes(index[:8], "big", signed=True)

    @asynccontextmanager
    async def handling(
        self, update_id: int, user_id: int | None, now: datetime
    ) -> AsyncIterator[bool]:
        """Yields whether to handle the update (False: it was handled already). The record
        is kept only if the block ends without an exception."""
        person = self.person_key(user_id) if user_id is not None else None
        async with self._people.hold(person):
            if self._db.is_postgres:
                async with self._held_record(update_id, person, now) as fresh:
                    yield fresh
            else:
                async with self._record_after(update_id, now) as fresh:
                    yield fresh

    @asynccontextmanager
    async def _held_record(
        self, update_id: int, person: int | None, now: datetime
    ) -> AsyncIterator[bool]:
        async with self._db.engine.connect() as connection:
            await connection.execute(text(f"SET LOCAL lock_timeout = '{_WAIT_FOR_SAME_PERSON}'"))
            if person is not None:
                await connection.execute(select(func.pg_advisory_xact_lock(person)))
            inserted = await connection.execute(
                pg_insert(HandledUpdate)
                .values(update_id=update_id, handled_at=now)
                .on_conflict_do_nothing(index_elements=["update_id"])
            )
            fresh = bool(inserted.rowcount)
            yield fresh
            await connection.commit()

    @asynccontextmanager
    async def _record_after(self, update_id: int, now: datetime) -> AsyncIterator[bool]:
        """SQLite: one process, whose own lock above serializes; record after handling."""
        async with self._db.unit_of_work() as uow:
            done = await uow.session.get(HandledUpdate, update_id)
        if done is not None:
            yield False
            return
        yield True
        async with self._db.unit_of_work() as uow:
            await uow.session.execute(
                sqlite_insert(HandledUpdate)
                .values(update_id=update_id, handled_at=now)
                .on_conflict_do_nothing(index_elements=["update_id"])
            )
            await uow.commit()


class _KeyedLocks:
    """An asyncio lock per key, forgotten when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: int | None) -> AsyncIterator[None]:
        if key is None:
            yield
            return
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)
