"""Her record as every update reads it first: with whether she was unreachable and how many
contacts she has, facts that spare the update round trips of their own, and that stay true
when contacts change in the same unit of work. On SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage.crypto import Keyring, new_key
from storage.database import Database
from tests.support.db import migrated_engine

NOW = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
WORKER, CONTACT, OTHER = 910_001, 910_002, 910_003  # fake Telegram ids


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    async with migrated_engine(tmp_path) as engine:
        database = Database(engine, Keyring(new_key()))
        await database.open()
        yield database


async def test_the_contact_count_read_with_her_follows_changes(db: Database) -> None:
    async with db.unit_of_work() as uow:
        worker = await uow.members.add(WORKER, "es", "UTC", NOW)
        contact = await uow.members.add(CONTACT, "es", "UTC", NOW)
        other = await uow.members.add(OTHER, "es", "UTC", NOW)
        await uow.contacts.add(worker.id, contact.id, None, NOW)
        await uow.commit()
    async with db.unit_of_work() as uow:
        found = await uow.members.find_by_telegram(WORKER)
        assert found is not None
        assert uow.members.contact_count(worker.id) == 1
        assert await uow.contacts.count_of_worker(worker.id) == 1
        added = await uow.contacts.add(worker.id, other.id, None, NOW)
        assert await uow.contacts.count_of_worker(worker.id) == 2  # not the count read first
        await uow.contacts.remove(added.id)
        assert await uow.contacts.count_of_worker(worker.id) == 1


async def test_only_a_member_marked_unreachable_is_said_to_be(db: Database) -> None:
    async with db.unit_of_work() as uow:
        worker = await uow.members.add(WORKER, "es", "UTC", NOW)
        contact = await uow.members.add(CONTACT, "es", "UTC", NOW)
        link = await uow.contacts.add(worker.id, contact.id, None, NOW)
        await uow.commit()
    async with db.unit_of_work() as uow:
        await uow.members.find_by_telegram(WORKER)
        assert uow.members.contacts_known_reachable(worker.id)
        assert await uow.contacts.unreachable_of_worker(worker.id) == []
        await uow.members.find_by_telegram(CONTACT)
        assert not uow.members.unreachable(contact.id)
        assert await uow.contacts.mark_unreachable(link.id, NOW)  # she blocked the bot
        # what was read with the worker's record no longer holds in this unit of work
        assert [c.id for c in await uow.contacts.unreachable_of_worker(worker.id)] == [link.id]
        await uow.commit()
    async with db.unit_of_work() as uow:
        await uow.members.find_by_telegram(WORKER)
        assert [c.id for c in await uow.contacts.unreachable_of_worker(worker.id)] == [link.id]
        await uow.members.find_by_telegram(CONTACT)
        assert uow.members.unreachable(contact.id)
        await uow.contacts.mark_reachable(contact.id)
        await uow.commit()
    async with db.unit_of_work() as uow:
        await uow.members.find_by_telegram(CONTACT)
        assert not uow.members.unreachable(contact.id)
