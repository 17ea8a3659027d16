"""The outbox: notifications waiting to be sent, sealed with the recipient's key."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.database import Sequencer, seal_text, unseal_text
from storage.members import MemberRepository
from storage.models import OutboxRow
from storage.records import OutboxItem, new_id

PENDING, SENT, FAILED = "pending", "sent", "failed"
_ROWS_PER_INSERT = 500  # 10 columns each: well under SQLite's 32,766 parameters


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

    async def add(
        self, key: str, recipient_id: str, priority: int, payload: dict[str, Any], now: datetime
    ) -> bool:
        """Queue a notification once per idempotency key; False when the key was already used."""
        return await self.add_many([(key, recipient_id, priority, payload)], now) == 1

    async def add_many(
        self, items: Sequence[tuple[str, str, int, dict[str, Any]]], now: datetime
    ) -> int:
        """Queue (key, recipient, priority, payload) notifications, each once per key, in
        statements of a few hundred rows; returns how many were new. A warning to 5,000
        members is 10 statements and one query for their keys, not 10,000 round trips."""
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
                    "idempotency_key": key,
                    "recipient_id": recipient_id,
                    "priority": priority,
                    "payload_sealed": seal_text(
                        member_key, json.dumps(payload), f"outbox:payload:{row_id}"
                    ),
                    "status": PENDING,
                    "attempts": 0,
                    "not_before": now,
                    "created_at": self._sequencer.stamp(now),
                }
            )
        insert = pg_insert if self._is_postgres else sqlite_insert
        added = 0
        for start in range(0, len(rows), _ROWS_PER_INSERT):
            statement = (
                insert(OutboxRow)
                .values(rows[start : start + _ROWS_PER_INSERT])
                .on_conflict_do_nothing(index_elements=["idempotency_key"])
            )
            result = await self._session.execute(statement)
            added += int(result.rowcount or 0)  # type: ignore[attr-defined]
        return added

    async def claim(
        self, now: datetime, limit: int, skip: Collection[str] = ()
    ) -> list[OutboxItem]:
        """Pending rows that may go now, most urgent first, except those in `skip` (already
        in the sender's hands); locked for this transaction on PostgreSQL."""
        query = (
            select(OutboxRow)
            .where(OutboxRow.status == PENDING, OutboxRow.not_before <= now)
            .order_by(OutboxRow.priority, OutboxRow.created_at, OutboxRow.id)
            .limit(limit)
        )
        if skip:
            query = query.where(OutboxRow.id.not_in(list(skip)))
        if self._is_postgres:
            query = query.with_for_update(skip_locked=True)
        items = []
        for row in (await self._session.scalars(query)).all():
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
            )
        )

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
