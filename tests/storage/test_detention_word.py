"""Her detention word (a second code word): kept only as a keyed digest inside her sealed
settings, which seal to one length with it or without; never her code word; kept when the
rest of her settings change. On SQLite and on PostgreSQL."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.core.records import Address, new_id
from storage.crypto import Keyring, new_key
from storage.database import Database
from storage.members import seal_settings
from tests.support.db import migrated_engine

NOW = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
WORKER = 920_101  # a fake Telegram id
CODEWORD, DETENTION = "pistache azul marino", "luna de papel morado"


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    async with migrated_engine(tmp_path) as engine:
        database = Database(engine, Keyring(new_key()))
        await database.open()
        yield database


def test_her_settings_seal_to_one_length_with_a_detention_word_or_without() -> None:
    key, member_id = new_key(), new_id()
    digest = base64.b64encode(bytes(range(32))).decode()
    lengths = {
        len(seal_settings(key, member_id, on, Address.NEUTRAL, legal_support=on, detention=word))
        for on in (False, True)
        for word in (None, digest)
    }
    assert len(lengths) == 1


async def test_the_detention_word_is_a_digest_in_her_sealed_settings_and_survives_a_save(
    db: Database,
) -> None:
    async with db.unit_of_work() as uow:
        member = await uow.members.add(WORKER, "es", "UTC", NOW)
        assert await uow.safety.set_codeword(member.id, CODEWORD, "ok")
        assert not await uow.safety.set_detention_word(member.id, CODEWORD)  # her code word
        assert await uow.safety.set_detention_word(member.id, DETENTION)
        assert not await uow.safety.set_codeword(member.id, DETENTION, "ok")
        await uow.commit()
    async with db.unit_of_work() as uow:
        assert (await uow.safety.settings(member.id)).has_detention_word
        await uow.members.save(member)  # her other settings written again: the word stays
        await uow.commit()
    async with db.unit_of_work() as uow:
        assert await uow.safety.detention_reply_if_matches(member.id, DETENTION) == "ok"
        assert await uow.safety.detention_reply_if_matches(member.id, CODEWORD) is None
        assert await uow.safety.codeword_reply_if_matches(member.id, DETENTION) is None
    async with db.engine.connect() as connection:
        rows = (await connection.execute(sa.text("SELECT * FROM members"))).all()
        rows += (await connection.execute(sa.text("SELECT * FROM member_safety"))).all()
    cells = b"".join(
        value if isinstance(value, bytes) else str(value).encode() for row in rows for value in row
    )
    assert DETENTION.encode() not in cells and b"detained" not in cells
    async with db.unit_of_work() as uow:
        await uow.safety.clear_detention_word(member.id)
        await uow.commit()
    async with db.unit_of_work() as uow:
        assert not (await uow.safety.settings(member.id)).has_detention_word
        assert await uow.safety.detention_reply_if_matches(member.id, DETENTION) is None
