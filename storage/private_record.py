"""Her private record (/registro): entries sealed with her key and padded, found by a keyed
digest of her id under her own key, so that a copy of the database cannot tell whose they
are. Deleted when they expire, when she deletes them, and at /forget (explicitly: no foreign
key links them to her row)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.records import RecordEntry, new_id
from storage.crypto import keyed_digest, seal_text, unseal_text
from storage.members import MemberRepository
from storage.models import RecordEntryRow

OWNER = "record-owner"
BLOCK = 512  # an entry seals to a multiple of this many bytes: its length tells little


def _aad(entry_id: str) -> str:
    return f"record_entries:entry:{entry_id}"


def seal_entry(key: bytes, entry: RecordEntry) -> bytes:
    text = json.dumps(
        {
            "written": entry.written_at.isoformat(),
            "happened": entry.happened_at.isoformat(),
            "exact": entry.exact,
            "approx": entry.approx,
            "where": entry.where,
            "what": entry.what,
            "who": entry.who,
        },
        ensure_ascii=False,
    )
    size = len(text.encode())
    return seal_text(key, text + " " * (-size % BLOCK), _aad(entry.id))


def open_entry(key: bytes, entry_id: str, sealed: bytes) -> RecordEntry:
    raw = json.loads(unseal_text(key, sealed, _aad(entry_id)))
    return RecordEntry(
        id=entry_id,
        written_at=datetime.fromisoformat(raw["written"]),
        happened_at=datetime.fromisoformat(raw["happened"]),
        exact=bool(raw.get("exact")),
        where=str(raw.get("where", "")),
        what=str(raw.get("what", "")),
        who=str(raw.get("who", "")),
        approx=str(raw.get("approx", "")),
    )


class PrivateRecordRepository:
    def __init__(self, session: AsyncSession, members: MemberRepository) -> None:
        self._session = session
        self._members = members

    async def _owner(self, member_id: str) -> tuple[bytes, bytes] | None:
        key = await self._members.key_for(member_id)
        if key is None:
            return None
        return key, keyed_digest(key, OWNER, member_id)

    async def add(self, member_id: str, entry: RecordEntry, expires_at: datetime) -> str | None:
        """Keep an entry (its id is made here); None when she no longer exists."""
        owner = await self._owner(member_id)
        if owner is None:
            return None
        key, digest = owner
        entry_id = new_id()
        sealed = seal_entry(key, replace(entry, id=entry_id))
        self._session.add(
            RecordEntryRow(
                id=entry_id, owner_digest=digest, entry_sealed=sealed, expires_at=expires_at
            )
        )
        await self._session.flush()
        return entry_id

    async def of_member(self, member_id: str, now: datetime) -> list[RecordEntry]:
        """Her entries that have not expired, in no particular order."""
        owner = await self._owner(member_id)
        if owner is None:
            return []
        key, digest = owner
        rows = await self._session.execute(
            select(RecordEntryRow.id, RecordEntryRow.entry_sealed).where(
                RecordEntryRow.owner_digest == digest, RecordEntryRow.expires_at > now
            )
        )
        return [open_entry(key, entry_id, sealed) for entry_id, sealed in rows]

    async def delete(self, member_id: str, entry_id: str) -> bool:
        owner = await self._owner(member_id)
        if owner is None:
            return False
        result = await self._session.execute(
            delete(RecordEntryRow).where(
                RecordEntryRow.id == entry_id, RecordEntryRow.owner_digest == owner[1]
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def delete_all(self, member_id: str) -> int:
        owner = await self._owner(member_id)
        if owner is None:
            return 0
        result = await self._session.execute(
            delete(RecordEntryRow).where(RecordEntryRow.owner_digest == owner[1])
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def set_expiry(self, member_id: str, entry_id: str, expires_at: datetime) -> None:
        owner = await self._owner(member_id)
        if owner is None:
            return
        await self._session.execute(
            update(RecordEntryRow)
            .where(RecordEntryRow.id == entry_id, RecordEntryRow.owner_digest == owner[1])
            .values(expires_at=expires_at)
        )

    async def purge(self, now: datetime) -> int:
        result = await self._session.execute(
            delete(RecordEntryRow).where(RecordEntryRow.expires_at <= now)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
