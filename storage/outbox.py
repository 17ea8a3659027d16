"""The outbox: notifications waiting to be sent, sealed with the recipient's key."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.core.records import Delivery, OutboxItem, new_id
from storage import wakeups
from storage.crypto import Keyring, seal_text, unseal_text
from storage.members import MemberRepository
from storage.models import OutboxRow, table_of

PENDING, SENT, FAILED = "pending", "sent", "failed"
_OUTBOX = table_of(OutboxRow)
# On PostgreSQL the rows that were new also wake the senders of every replica at the
# commit (notifications of one transaction with the same channel are delivered once).
_QUEUE_PG = (
    pg_insert(_OUTBOX)
    .on_conflict_do_nothing(index_elements=["idempotency_key"])
    .returning(_OUTBOX.c.id, func.pg_notify(wakeups.OUTBOX, ""))
)
_QUEUE_SQLITE = (
    sqlite_insert(_OUTBOX)
    .on_conflict_do_nothing(index_elements=["idempotency_key"])
    .returning(_OUTBOX.c.id)
)
_CLAIM_LOCK = 0x636F6D70  # the advisory lock that takes turns between replicas' claims
IDEMPOTENCY = "outbox-key"


def idempotency_digest(keyring: Keyring, key: str) -> str:
    """What the outbox stores of an idempotency key: a blind index, in hex. The key names
    rows, the round of an alert and its kind; the digest only has to be unique."""
    return keyring.blind_index(IDEMPOTENCY, key).hex()


class Sequencer:
    """Strictly increasing creation stamps for one process, so that rows written one after
    the other (an alert before its pin, two replies) go out in that order even at one
    instant of a coarse or fake clock."""

    def __init__(self) -> None:
        self._last: datetime | None = None

    def stamp(self, now: datetime) -> datetime:
        if self._last is not None and now <= self._last:
            now = self._last + timedelta(microseconds=1)
        self._last = now
        return now


class OutboxRepository:
    def __init__(
        self,
        session: AsyncSession,
        members: MemberRepository,
        is_postgres: bool,
        sequencer: Sequencer,
    ) -> None:
        self._session = session
        self._members = members
        self._is_postgres = is_postgres
        self._sequencer = sequencer
        self.changed = False  # rows were added or given back: other replicas should look
        self.notified = False  # ... and they were told so already, by the statement itself

    async def add(
        self, key: str, recipient_id: str, priority: int, payload: dict[str, Any], now: datetime
    ) -> bool:
        """Queue a notification once per idempotency key; False when the key was already used."""
        return await self.add_many([(key, recipient_id, priority, payload)], now) == 1

    async def add_many(
        self,
        items: Sequence[tuple[str, str, int, dict[str, Any]]],
        now: datetime,
        not_before: datetime | None = None,
    ) -> int:
        """Queue (key, recipient, priority, payload) notifications, each once per key, in
        statements of a few hundred rows; returns how many were new. A warning to 5,000
        members is 10 statements and one query for their keys, not 10,000 round trips.
        Rows held back until `not_before` are also dated then, not now: nothing in them
        points at the moment, or the transaction, that queued them."""
        held = not_before if not_before is not None and not_before > now else None
        keys = await self._members.keys_for({recipient for _, recipient, _, _ in items})
        rows = []
        for key, recipient_id, priority, payload in items:
            member_key = keys.get(recipient_id)
            if member_key is None:
                continue
            row_id = new_id()
            rows.append(
                {
                    "id": row_id,
                    "idempotency_key": idempotency_digest(self._members.keyring, key),
                    "recipient_id": recipient_id,
                    "priority": priority,
                    "payload_sealed": seal_text(
                        member_key, json.dumps(payload), f"outbox:payload:{row_id}"
                    ),
                    "status": PENDING,
                    "attempts": 0,
                    "not_before": held or now,
                    "created_at": held or self._sequencer.stamp(now),
                }
            )
        if not rows:
            return 0
        # One statement, built and compiled once: SQLAlchemy sends the rows as multi-row
        # VALUES in batches ("insertmanyvalues"); RETURNING names the rows that were new.
        statement = _QUEUE_PG if self._is_postgres else _QUEUE_SQLITE
        result = await self._session.execute(statement, rows)
        added = len(result.all())
        self.changed = self.changed or added > 0
        self.notified = self.notified or (added > 0 and self._is_postgres)
        return added

    async def claim(
        self,
        now: datetime,
        limit: int,
        replica: str,
        lease: timedelta,
        skip: Collection[str] = (),
        priority: int | None = None,
    ) -> list[OutboxItem]:
        """Pending rows that may go now, most urgent first, leased to `replica` until
        `now + lease`; the caller commits. With `priority`, only rows of that priority
        (the oldest replies, taken beside a flood of alerts).

        A row is free when nobody holds it or its holder's lease has run out (a replica that
        died). Rows in `skip` are already in this replica's hands. A person's rows go to one
        replica at a time: none is taken while another replica holds one of hers, so that
        her messages keep their order. On PostgreSQL claims are taken one replica at a time
        (a transaction-scoped advisory lock: a few milliseconds each) and the rows are read
        FOR UPDATE SKIP LOCKED."""
        other = aliased(OutboxRow)
        held_elsewhere = exists().where(
            other.recipient_id == OutboxRow.recipient_id,
            other.status == PENDING,
            other.claimed_by != replica,
            other.claimed_until > now,
        )
        query = (
            select(OutboxRow)
            .where(
                OutboxRow.status == PENDING,
                OutboxRow.not_before <= now,
                or_(
                    OutboxRow.claimed_until.is_(None),
                    OutboxRow.claimed_until <= now,
                    OutboxRow.claimed_by == replica,
                ),
                ~held_elsewhere,
            )
            .order_by(OutboxRow.priority, OutboxRow.created_at, OutboxRow.id)
            .limit(limit)
        )
        if skip:
            query = query.where(OutboxRow.id.not_in(list(skip)))
        if priority is not None:
            query = query.where(OutboxRow.priority == priority)
        if self._is_postgres:
            await self._session.execute(select(func.pg_advisory_xact_lock(_CLAIM_LOCK)))
            query = query.with_for_update(skip_locked=True, of=OutboxRow)
        rows = (await self._session.scalars(query)).all()
        if rows:
            await self._session.execute(
                update(OutboxRow)
                .where(OutboxRow.id.in_([row.id for row in rows]))
                .values(claimed_by=replica, claimed_until=now + lease)
            )
        return await self._items(rows)

    async def peek(self, now: datetime, limit: int) -> list[OutboxItem]:
        """Pending rows that may go now, most urgent first, without taking them."""
        query = (
            select(OutboxRow)
            .where(OutboxRow.status == PENDING, OutboxRow.not_before <= now)
            .order_by(OutboxRow.priority, OutboxRow.created_at, OutboxRow.id)
            .limit(limit)
        )
        return await self._items((await self._session.scalars(query)).all())

    async def _items(self, rows: Sequence[OutboxRow]) -> list[OutboxItem]:
        items = []
        for row in rows:
            member_key = await self._members.key_for(row.recipient_id)
            if member_key is None or row.payload_sealed is None:
                continue
            payload = json.loads(
                unseal_text(member_key, row.payload_sealed, f"outbox:payload:{row.id}")
            )
            items.append(
                OutboxItem(
                    row.id, row.recipient_id, row.priority, payload, row.attempts, row.created_at
                )
            )
        return items

    async def renew(self, item_ids: Collection[str], replica: str, until: datetime) -> set[str]:
        """Extend this replica's lease on rows it still holds; returns those it still holds
        (a row whose lease ran out may have gone to another replica meanwhile)."""
        if not item_ids:
            return set()
        result = await self._session.execute(
            update(OutboxRow)
            .where(
                OutboxRow.id.in_(list(item_ids)),
                OutboxRow.claimed_by == replica,
                OutboxRow.status == PENDING,
            )
            .values(claimed_until=until)
            .returning(OutboxRow.id)
        )
        return set(result.scalars().all())

    async def release(
        self, replica: str | None = None, item_ids: Collection[str] | None = None
    ) -> int:
        """Give back pending rows held by `replica` (by everyone, when None), or only those
        of `item_ids`: at a stop, and at start when a process knows those claims are its own
        from before a restart."""
        query = update(OutboxRow).where(
            OutboxRow.status == PENDING, OutboxRow.claimed_by.is_not(None)
        )
        if replica is not None:
            query = query.where(OutboxRow.claimed_by == replica)
        if item_ids is not None:
            query = query.where(OutboxRow.id.in_(list(item_ids)))
        result = await self._session.execute(query.values(claimed_by=None, claimed_until=None))
        released = int(result.rowcount or 0)  # type: ignore[attr-defined]
        self.changed = self.changed or released > 0
        return released

    async def next_due(self, after: datetime) -> datetime | None:
        """When the earliest row held back until later (a retry) may go."""
        return await self._session.scalar(
            select(func.min(OutboxRow.not_before)).where(
                OutboxRow.status == PENDING, OutboxRow.not_before > after
            )
        )

    async def mark_sent(self, item_id: str, now: datetime, message_id: int | None = None) -> None:
        """Telegram accepted it: keep only the row's facts (and the message's id in her chat,
        for /clean), drop the payload at once."""
        await self._session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == item_id)
            .values(
                status=SENT,
                sent_at=now,
                payload_sealed=None,
                attempts=OutboxRow.attempts + 1,
                message_id=message_id,
                claimed_by=None,
                claimed_until=None,
            )
        )

    async def deliveries(self, keys: Sequence[str]) -> dict[str, Delivery]:
        """What became of the messages queued under `keys`, by key (a key never queued, or
        no longer on record, is left out): pending, sent at, or failed."""
        digests = {idempotency_digest(self._members.keyring, key): key for key in keys}
        if not digests:
            return {}
        rows = await self._session.execute(
            select(OutboxRow.idempotency_key, OutboxRow.status, OutboxRow.sent_at).where(
                OutboxRow.idempotency_key.in_(list(digests))
            )
        )
        return {
            digests[digest]: Delivery(status == PENDING, sent_at if status == SENT else None)
            for digest, status, sent_at in rows
        }

    async def message_id_of(self, key: str) -> int | None:
        """The id, in the recipient's chat, of the sent message queued under `key`; None
        while it is not sent, or once it is no longer on record."""
        return await self._session.scalar(
            select(OutboxRow.message_id).where(
                OutboxRow.idempotency_key == idempotency_digest(self._members.keyring, key)
            )
        )

    async def drop_held(self, recipient_id: str, priority: int, times: Sequence[datetime]) -> int:
        """Delete her pending messages of this priority held back until one of `times` (the
        warnings of a network she left, waiting for their time); returns how many."""
        if not times:
            return 0
        result = await self._session.execute(
            delete(OutboxRow).where(
                OutboxRow.recipient_id == recipient_id,
                OutboxRow.status == PENDING,
                OutboxRow.priority == priority,
                OutboxRow.not_before.in_(list(times)),
            )
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def take_message_ids(self, recipient_id: str) -> list[int]:
        """The ids, in her chat, of the messages sent to her that are still on record;
        forgotten as they are handed out, so that each is deleted once."""
        rows = (
            await self._session.execute(
                select(OutboxRow.id, OutboxRow.message_id).where(
                    OutboxRow.recipient_id == recipient_id, OutboxRow.message_id.is_not(None)
                )
            )
        ).all()
        if rows:
            await self._session.execute(
                update(OutboxRow)
                .where(OutboxRow.id.in_([row_id for row_id, _ in rows]))
                .values(message_id=None)
            )
        return sorted(int(message_id) for _, message_id in rows if message_id is not None)

    async def retry_at(self, item_id: str, when: datetime, error_code: int | None) -> None:
        """Count a failed attempt; the row stays pending and may go again at `when`."""
        await self._session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == item_id)
            .values(not_before=when, error_code=error_code, attempts=OutboxRow.attempts + 1)
        )

    async def mark_failed(self, item_id: str, now: datetime, error_code: int | None) -> None:
        await self._session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == item_id)
            .values(
                status=FAILED,
                sent_at=now,
                payload_sealed=None,
                error_code=error_code,
                attempts=OutboxRow.attempts + 1,
                claimed_by=None,
                claimed_until=None,
            )
        )

    async def count(self, status: str = PENDING) -> int:
        total = await self._session.scalar(
            select(func.count()).select_from(OutboxRow).where(OutboxRow.status == status)
        )
        return int(total or 0)

    async def purge(self, sent_before: datetime, failed_before: datetime) -> int:
        """Delete sent rows that ended before `sent_before`, failed ones before `failed_before`."""
        result = await self._session.execute(
            delete(OutboxRow).where(
                or_(
                    and_(OutboxRow.status == SENT, OutboxRow.sent_at < sent_before),
                    and_(OutboxRow.status == FAILED, OutboxRow.sent_at < failed_before),
                )
            )
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
