"""Shifts of partners: members and single-use passes (tokens kept only as hashes). Deleting
a shift deletes all of it (ON DELETE CASCADE)."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.records import Shift, ShiftPass, new_id
from storage.crypto import seal_text, token_hash, unseal_text
from storage.members import MemberRepository
from storage.models import CheckInRow, ShiftMemberRow, ShiftPassRow, ShiftRow


def _shift(row: ShiftRow) -> Shift:
    return Shift(row.id, row.created_at, row.ends_at)


def _pass(row: ShiftPassRow) -> ShiftPass:
    return ShiftPass(row.id, row.shift_id, row.expires_at)


class ShiftRepository:
    def __init__(self, session: AsyncSession, members: MemberRepository) -> None:
        self._session = session
        self._members = members

    async def _row(self, shift_id: str, member_id: str) -> ShiftMemberRow | None:
        return await self._session.scalar(
            select(ShiftMemberRow).where(
                ShiftMemberRow.shift_id == shift_id, ShiftMemberRow.member_id == member_id
            )
        )

    async def state(self, shift_id: str, member_id: str) -> dict[str, str]:
        row = await self._row(shift_id, member_id)
        key = await self._members.key_for(member_id)
        if row is None or row.state_sealed is None or key is None:
            return {}
        opened = json.loads(unseal_text(key, row.state_sealed, f"shift_members:state:{row.id}"))
        return {str(k): str(v) for k, v in opened.items()}

    async def set_state(self, shift_id: str, member_id: str, state: dict[str, str]) -> None:
        row = await self._row(shift_id, member_id)
        key = await self._members.key_for(member_id)
        if row is None or key is None:
            return
        row.state_sealed = seal_text(key, json.dumps(state), f"shift_members:state:{row.id}")
        await self._session.flush()

    async def add(self, created_at: datetime, ends_at: datetime) -> Shift:
        row = ShiftRow(id=new_id(), created_at=created_at, ends_at=ends_at)
        self._session.add(row)
        await self._session.flush()
        return _shift(row)

    async def get(self, shift_id: str) -> Shift | None:
        row = await self._session.get(ShiftRow, shift_id)
        return _shift(row) if row else None

    async def of_member(self, member_id: str, now: datetime) -> Shift | None:
        row = await self._session.scalar(
            select(ShiftRow)
            .join(ShiftMemberRow, ShiftMemberRow.shift_id == ShiftRow.id)
            .where(ShiftMemberRow.member_id == member_id, ShiftRow.ends_at > now)
        )
        return _shift(row) if row else None

    async def member_ids(self, shift_id: str) -> list[str]:
        rows = await self._session.scalars(
            select(ShiftMemberRow.member_id)
            .where(ShiftMemberRow.shift_id == shift_id)
            .order_by(ShiftMemberRow.joined_at, ShiftMemberRow.id)
        )
        return list(rows)

    async def join(self, shift_id: str, member_id: str, now: datetime) -> None:
        # One shift at a time: a row left by a shift that ended (not swept yet) goes first.
        await self._session.execute(
            delete(ShiftMemberRow).where(ShiftMemberRow.member_id == member_id)
        )
        self._session.add(
            ShiftMemberRow(id=new_id(), shift_id=shift_id, member_id=member_id, joined_at=now)
        )
        await self._session.flush()

    async def leave(self, shift_id: str, member_id: str) -> None:
        """She leaves; her partners' notes on her check-ins go with her place in the shift."""
        await self._session.execute(
            delete(ShiftMemberRow).where(
                ShiftMemberRow.shift_id == shift_id, ShiftMemberRow.member_id == member_id
            )
        )
        await self._session.execute(
            update(CheckInRow).where(CheckInRow.member_id == member_id).values(notes_sealed=None)
        )

    async def delete(self, shift_id: str) -> None:
        # Partners' notes on its members' check-ins go with the shift.
        members = select(ShiftMemberRow.member_id).where(ShiftMemberRow.shift_id == shift_id)
        await self._session.execute(
            update(CheckInRow).where(CheckInRow.member_id.in_(members)).values(notes_sealed=None)
        )
        # Explicitly, children first: SQLite enforces the cascade only with foreign keys on.
        for table in (ShiftMemberRow, ShiftPassRow):
            await self._session.execute(delete(table).where(table.shift_id == shift_id))
        await self._session.execute(delete(ShiftRow).where(ShiftRow.id == shift_id))

    async def add_pass(self, shift_id: str, token: str, expires_at: datetime) -> ShiftPass:
        row = ShiftPassRow(
            id=new_id(), shift_id=shift_id, token_hash=token_hash(token), expires_at=expires_at
        )
        self._session.add(row)
        await self._session.flush()
        return _pass(row)

    async def find_pass(self, token: str) -> ShiftPass | None:
        row = await self._session.scalar(
            select(ShiftPassRow).where(ShiftPassRow.token_hash == token_hash(token))
        )
        return _pass(row) if row else None

    async def get_pass(self, pass_id: str) -> ShiftPass | None:
        row = await self._session.get(ShiftPassRow, pass_id)
        return _pass(row) if row else None

    async def use_pass(self, pass_id: str) -> bool:
        result = await self._session.execute(
            delete(ShiftPassRow).where(ShiftPassRow.id == pass_id)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def ended(self, now: datetime) -> list[Shift]:
        rows = await self._session.scalars(select(ShiftRow).where(ShiftRow.ends_at <= now))
        return [_shift(row) for row in rows]

    async def earliest_end(self) -> datetime | None:
        return await self._session.scalar(select(func.min(ShiftRow.ends_at)))

    async def purge_passes(self, now: datetime) -> int:
        result = await self._session.execute(
            delete(ShiftPassRow).where(ShiftPassRow.expires_at <= now)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
