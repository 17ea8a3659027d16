"""Her safety secrets: a code word kept as a keyed digest, a second code word for detention
kept as a keyed digest inside her sealed settings, and a safety PIN and a duress PIN kept as
argon2id hashes sealed with her data key. None of them is ever stored in the clear,
and nothing here opens without the master key."""

from __future__ import annotations

import asyncio
import base64
import json

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.records import PinMatch, SafetySettings
from storage.crypto import hash_secret, keyed_digest, seal_text, secret_matches, unseal_text
from storage.members import MemberRepository
from storage.models import SafetyRow

CODEWORD = "codeword"
DETENTION = "detention-word"


def _digest(key: bytes, label: str, phrase: str) -> str:
    return base64.b64encode(keyed_digest(key, label, phrase)).decode()


def _match_both(safe: str, duress: str, pin: str) -> PinMatch:
    """Both hashes are always tried, so the time taken tells nothing."""
    safe_matches, duress_matches = secret_matches(safe, pin), secret_matches(duress, pin)
    if safe_matches:
        return PinMatch.SAFE
    return PinMatch.DURESS if duress_matches else PinMatch.WRONG


def _hash_unless_same(safe_hash: str, duress: str) -> str | None:
    """The duress PIN's hash, or None when it is the safety PIN."""
    return None if secret_matches(safe_hash, duress) else hash_secret(duress)


class SafetyRepository:
    def __init__(self, session: AsyncSession, members: MemberRepository) -> None:
        self._session = session
        self._members = members

    async def settings(self, member_id: str) -> SafetySettings:
        row = await self._session.get(SafetyRow, member_id)
        if row is None:
            return SafetySettings(False, None, False)
        return SafetySettings(
            row.codeword_digest is not None,
            row.codeword_reply,
            row.pins_sealed is not None,
            has_detention_word=await self._members.detention_digest(member_id) is not None,
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

    async def detention_reply_if_matches(self, member_id: str, phrase: str) -> str | None:
        """Her code word's reply when `phrase` (normalized) is her detention word, else None:
        the two answer alike, so that neither can be told from the other, or from any text."""
        stored = await self._members.detention_digest(member_id)
        key = await self._members.key_for(member_id)
        if stored is None or key is None or _digest(key, DETENTION, phrase) != stored:
            return None
        row = await self._session.get(SafetyRow, member_id)
        return (row.codeword_reply if row is not None else None) or "none"

    async def set_detention_word(self, member_id: str, phrase: str) -> bool:
        """Keep a keyed digest of her detention word in her sealed settings; False, and
        nothing kept, when it is her code word."""
        key = await self._members.key_for(member_id)
        assert key is not None
        row = await self._session.get(SafetyRow, member_id)
        if row is not None and row.codeword_digest == keyed_digest(key, CODEWORD, phrase):
            return False
        await self._members.set_detention_digest(member_id, _digest(key, DETENTION, phrase))
        return True

    async def clear_detention_word(self, member_id: str) -> None:
        await self._members.set_detention_digest(member_id, None)

    async def set_codeword(self, member_id: str, phrase: str, reply: str) -> bool:
        """Keep a keyed digest of her code word; False, and nothing kept, when it is her
        detention word."""
        key = await self._members.key_for(member_id)
        assert key is not None
        if await self._members.detention_digest(member_id) == _digest(key, DETENTION, phrase):
            return False
        row = await self._row(member_id)
        row.codeword_digest = keyed_digest(key, CODEWORD, phrase)
        row.codeword_reply = row.codeword_reply or reply
        await self._session.flush()
        return True

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

    async def hash_pin(self, pin: str) -> str:
        """An argon2id hash of a PIN, for her first PIN to wait in her sealed conversation
        until she types the second. About 0.1 s of work, in a thread: the event loop goes on."""
        return await asyncio.to_thread(hash_secret, pin)

    async def check_pin(self, member_id: str, pin: str) -> PinMatch | None:
        """Which of her PINs `pin` is; None when she has none."""
        row = await self._session.get(SafetyRow, member_id)
        key = await self._members.key_for(member_id)
        if row is None or row.pins_sealed is None or key is None:
            return None
        raw = json.loads(unseal_text(key, row.pins_sealed, f"member_safety:pins:{member_id}"))
        return await asyncio.to_thread(_match_both, raw["safe"], raw["duress"], pin)

    async def set_pins(self, member_id: str, safe_hash: str, duress: str) -> bool:
        """Keep her safety PIN (hashed by `hash_pin`) and her duress PIN (hashed here);
        False, and nothing kept, when the duress PIN is the safety PIN."""
        duress_hash = await asyncio.to_thread(_hash_unless_same, safe_hash, duress)
        if duress_hash is None:
            return False
        key = await self._members.key_for(member_id)
        assert key is not None
        row = await self._row(member_id)
        row.pins_sealed = seal_text(
            key,
            json.dumps({"safe": safe_hash, "duress": duress_hash}),
            f"member_safety:pins:{member_id}",
        )
        await self._session.flush()
        return True

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
