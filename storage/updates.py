"""Updates handled once each: the ledger of update ids, written in the update's own
transaction.

Telegram delivers an update again when the bot did not acknowledge it (polling) or did not
answer 200 (webhook), and several replicas may be handed updates of the same person at
once. `UpdateRepository.begin` answers both, first thing in the update's transaction:
- it records the update id; a second delivery finds it and is not handled again. The record
  commits with the update's effects, or rolls back with them: effects exactly once;
- on PostgreSQL the same person's updates are handled one at a time across replicas (an
  advisory lock on a blind index of her Telegram id, held until the commit), and a second
  delivery of an update in flight waits on the first's record, then finds it done.
Only update ids are kept, for a day (Telegram gives up on an update after 24 hours)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, bindparam, delete, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import HandledUpdate, table_of

_WAIT_FOR_SAME_PERSON = "20s"  # longer, and the update is handled again later
_WAIT = text(f"SELECT set_config('lock_timeout', '{_WAIT_FOR_SAME_PERSON}', true)")
# The insert reads its row from the lock's CTE, so PostgreSQL takes the lock first.
_LOCK_AND_RECORD = text(
    "WITH waited AS ("
    f" SELECT set_config('lock_timeout', '{_WAIT_FOR_SAME_PERSON}', true),"
    " pg_advisory_xact_lock(:person))"
    " INSERT INTO handled_updates (update_id, handled_at)"
    " SELECT CAST(:update_id AS BIGINT), CAST(:handled_at AS TIMESTAMPTZ) FROM waited"
    " ON CONFLICT (update_id) DO NOTHING"
).bindparams(
    bindparam("person", type_=BigInteger),
    bindparam("update_id", type_=BigInteger),
    bindparam("handled_at", type_=DateTime(timezone=True)),
)
# Built once: the statement is the same for every update, only its values change.
_RECORD_PG = pg_insert(table_of(HandledUpdate)).on_conflict_do_nothing(
    index_elements=["update_id"]
)
_RECORD_SQLITE = sqlite_insert(table_of(HandledUpdate)).on_conflict_do_nothing(
    index_elements=["update_id"]
)


class UpdateRepository:
    def __init__(self, session: AsyncSession, is_postgres: bool) -> None:
        self._session = session
        self._is_postgres = is_postgres

    async def begin(self, update_id: int, person: int | None, now: datetime) -> bool:
        """Record the update as handled by this transaction; False if it was already.
        `person` is a lock key for the person behind it (PostgreSQL only)."""
        if self._is_postgres and person is not None:
            # One round trip: the wait's limit (for this transaction), the lock, the record.
            inserted = await self._session.execute(
                _LOCK_AND_RECORD, {"person": person, "update_id": update_id, "handled_at": now}
            )
            return bool(inserted.rowcount)  # type: ignore[attr-defined]
        if self._is_postgres:
            await self._session.execute(_WAIT)
        inserted = await self._session.execute(
            _RECORD_PG if self._is_postgres else _RECORD_SQLITE,
            {"update_id": update_id, "handled_at": now},
        )
        return bool(inserted.rowcount)  # type: ignore[attr-defined]

    async def purge(self, before: datetime) -> int:
        result = await self._session.execute(
            delete(HandledUpdate).where(HandledUpdate.handled_at < before)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
