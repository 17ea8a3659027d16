"""Her safety secrets: a code word kept as a keyed digest, and a safety PIN and a duress PIN
kept as argon2id hashes sealed with her data key. None of them is ever stored in the clear,
and nothing here opens without the master key."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from storage.crypto import hash_secret, keyed_digest, seal_text, secret_matches, unseal_text
from storage.members import MemberRepository
from storage.models import SafetyRow

CODEWORD = "codeword"


class PinMatch(StrEnum):
    SAFE = "safe"
    DURESS = "duress"
    WRONG = "wrong"


@dataclass(frozen=True)
class Pins:
    """The two argon2id hashes, as read; compare a typed PIN with `check`."""

    safe: str
    duress: str

    async def check(self, pin: str) -> PinMatch:
        """Both hashes are always tried, so the time taken tells nothing."""
        safe, duress = await asyncio.to_thread(_match_both, self.safe, self.duress, pin)
        if safe:
            return PinMatch.SAFE
        return PinMatch.DURESS if duress else PinMatch.WRONG


def _match_both(safe: str, duress: str, pin: str) -> tuple[bool, bool]:
    return secret_matches(safe, pin), secret_matches(duress, pin)


async def hash_pin(pin: str) -> str:
    """argon2id in a thread: about 0.1 s of work that must not stall the event loop."""
    return await asyncio.to_thread(hash_secret, pin)


async def pin_matches(encoded: str, pin: str) -> bool:
    return await asyncio.to_thread(secret_matches, encoded, pin)


@dataclass(frozen=True)
class SafetySettings:
    has_codeword: bool
    codeword_reply: str | None
    has_pins: bool


class SafetyRepository:
    def __init__(self, session: AsyncSession, members: MemberRepository) -> None:
        self._session = session
        self._members = members

    async def settings(self, member_id: str) -> SafetySettings:
        row = await self._session.get(SafetyRow, member_id)
        if row is None:
            return SafetySettings(False, None, False)
        return SafetySettings(
            row.codeword_digest is not None, row.codeword_reply, row.pins_sealed is not None
        )

    async def codeword_reply_if_matches(self, member_id: str, phrase: str) -> str | None:
        """Her chosen harmless reply when `phrase` (normalized) is her code word, else None."""
        row = await self._session.get(SafetyRow, member_id)
        if row is None or row.codeword_digest is None:
            return None
        key = await self._members.key_for(member_id)
        if key is None or keyed_digest(key, CODEWORD, phrase) != row.codeword_digest:
            return None
        return row.codeword_reply or "none"

    async def set_codeword(self, member_id: str, phrase: str, reply: str) -> None:
        key = await self._members.key_for(member_id)
        assert key is not None
        row = await self._row(member_id)
        row.codeword_digest = keyed_digest(key, CODEWORD, phrase)
        row.codeword_reply = row.codeword_reply or reply
        await self._session.flush()

    async def set_codeword_reply(self, member_id: str, reply: str) -> bool:
        row = await self._session.get(SafetyRow, member_id)
        if row is None or row.codeword_digest is None:
            return False
        row.codeword_reply = reply
        await self._session.flush()
        return True

    async def clear_codeword(self, member_id: str) -> None:
        row = await self._session.get(SafetyRow, member_id)
        if row is not None:
            row.codeword_digest = row.codeword_reply = None
            await self._session.flush()

    async def pins(self, member_id: str) -> Pins | None:
        row = await self._session.get(SafetyRow, member_id)
        key = await self._members.key_for(member_id)
        if row is None or row.pins_sealed is None or key is None:
            return None
        raw = json.loads(unseal_text(key, row.pins_sealed, f"member_safety:pins:{member_id}"))
        return Pins(raw["safe"], raw["duress"])

    async def set_pins(self, member_id: str, safe_hash: str, duress_hash: str) -> None:
        key = await self._members.key_for(member_id)
        assert key is not None
        row = await self._row(member_id)
        row.pins_sealed = seal_text(
            key,
            json.dumps({"safe": safe_hash, "duress": duress_hash}),
            f"member_safety:pins:{member_id}",
        )
        await self._session.flush()

    async def clear_pins(self, member_id: str) -> None:
        row = await self._session.get(SafetyRow, member_id)
        if row is not None:
            row.pins_sealed = None
            await self._session.flush()

    async def _row(self, member_id: str) -> SafetyRow:
        row = await self._session.get(SafetyRow, member_id)
        if row is None:
            row = SafetyRow(member_id=member_id)
            self._session.add(row)
        return row
