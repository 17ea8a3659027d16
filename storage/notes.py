"""Partner notes ("Anotar para Luz"): every note on a check-in, sealed together in
`checkins.notes_sealed` with the check-in's own key, as her details are. Who wrote each (her
member id and alias) is inside the seal: a copy shows only whether a check-in has notes, and
about how long they are. They go with her details (storage/checkins.py), with the shift
(storage/shifts.py), and with their author at /forget (`drop_by`)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.records import Location, PartnerNote
from storage.crypto import seal_text, unseal, unseal_text
from storage.members import MemberRepository
from storage.models import CheckInRow


def _aad(checkin_id: str) -> str:
    return f"checkins:notes:{checkin_id}"


def _dump(note: PartnerNote) -> dict[str, Any]:
    pin = note.location
    return {
        "by": note.author_id,
        "alias": note.alias,
        "text": note.text,
        "pin": [pin.latitude, pin.longitude] if pin else None,
        "at": note.at.isoformat(),
    }


def _load(item: dict[str, Any]) -> PartnerNote:
    pin = item.get("pin")
    return PartnerNote(
        author_id=str(item["by"]),
        alias=str(item.get("alias") or ""),
        text=str(item.get("text") or ""),
        location=Location(float(pin[0]), float(pin[1])) if pin else None,
        at=datetime.fromisoformat(item["at"]),
    )


class PartnerNoteRepository:
    def __init__(self, session: AsyncSession, members: MemberRepository) -> None:
        self._session = session
        self._members = members

    async def _key(self, row: CheckInRow) -> bytes | None:
        """The check-in's own key; None once her details are gone (and the notes with it)."""
        if row.key_wrapped is None:
            return None
        member_key = await self._members.key_for(row.member_id)
        if member_key is None:
            return None
        return unseal(member_key, row.key_wrapped, f"checkins:key:{row.id}")

    async def _open(self, row: CheckInRow) -> list[PartnerNote]:
        key = await self._key(row)
        if key is None or row.notes_sealed is None:
            return []
        items = json.loads(unseal_text(key, row.notes_sealed, _aad(row.id)))
        return [_load(item) for item in items]

    async def of_checkin(self, checkin_id: str) -> list[PartnerNote]:
        """The notes on a check-in, oldest first; none once her details are gone."""
        row = await self._session.get(CheckInRow, checkin_id)
        return await self._open(row) if row is not None else []

    async def add(self, checkin_id: str, note: PartnerNote) -> bool:
        """Add a note to a check-in; False when its details (and key) are gone already."""
        row = await self._session.get(CheckInRow, checkin_id)
        key = await self._key(row) if row is not None else None
        if row is None or key is None:
            return False
        notes = [*await self._open(row), note]
        self._seal(row, key, notes)
        await self._session.flush()
        return True

    async def drop_by(self, author_id: str) -> int:
        """Every note its author wrote, on any check-in (she used /forget): the few check-ins
        that have notes are opened to find hers. Returns how many went."""
        rows = await self._session.scalars(
            select(CheckInRow).where(CheckInRow.notes_sealed.is_not(None))
        )
        dropped = 0
        for row in rows.all():
            key = await self._key(row)
            if key is None:
                row.notes_sealed = None
                continue
            notes = await self._open(row)
            kept = [note for note in notes if note.author_id != author_id]
            if len(kept) != len(notes):
                dropped += len(notes) - len(kept)
                self._seal(row, key, kept)
        await self._session.flush()
        return dropped

    @staticmethod
    def _seal(row: CheckInRow, key: bytes, notes: list[PartnerNote]) -> None:
        if not notes:
            row.notes_sealed = None
            return
        text = json.dumps([_dump(note) for note in notes], separators=(",", ":"))
        row.notes_sealed = seal_text(key, text, _aad(row.id))
