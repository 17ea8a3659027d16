"""Outbox claims between replicas: leases, a dead replica's rows, one person's rows with one
replica at a time. On SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage.crypto import Keyring, new_key
from storage.database import Database
from tests.support.db import migrated_engine

NOW = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    async with migrated_engine(tmp_path) as engine:
        database = Database(engine, Keyring(new_key()))
        await database.open()
        yield database


async def queue(db: Database, people: int, each: int) -> list[str]:
    """`each` messages to each of `people` members; returns the members' ids."""
    ids = []
    async with db.unit_of_work() as uow:
        for person in range(people):
            member = await uow.members.add(900_000 + person, "es", "UTC", NOW)
            ids.append(member.id)
            for n in range(each):
                await uow.outbox.add(f"k{person}:{n}", member.id, 3, {"kind": "reply"}, NOW)
        await uow.commit()
    return ids


async def claim(db: Database, replica: str, now: datetime, limit: int = 100) -> list[str]:
    async with db.unit_of_work() as uow:
        items = await uow.outbox.claim(now, limit, replica, LEASE)
        await uow.commit()
    return [item.recipient_id for item in items]


async def test_a_claimed_row_is_nobody_elses_until_its_lease_runs_out(db: Database) -> None:
    await queue(db, people=1, each=1)
    assert len(await claim(db, "a", NOW)) == 1
    assert await claim(db, "b", NOW + LEASE - timedelta(seconds=1)) == []
    assert len(await claim(db, "b", NOW + LEASE + timedelta(seconds=1))) == 1  # a died


async def test_one_persons_rows_stay_with_one_replica(db: Database) -> None:
    people = await queue(db, people=3, each=3)
    first = await claim(db, "a", NOW, limit=4)  # all of person 0's, one of person 1's
    assert first.count(people[0]) == 3 and first.count(people[1]) == 1
    second = await claim(db, "b", NOW)
    assert set(second) == {people[2]}  # nothing of those "a" holds a row of
    again = await claim(db, "a", NOW)  # (the sender skips the rows it has in hand)
    assert again.count(people[1]) == 3 and people[2] not in again  # the rest of hers, too


async def test_renewal_keeps_the_rows_and_tells_which_were_lost(db: Database) -> None:
    await queue(db, people=2, each=1)
    async with db.unit_of_work() as uow:
        held = [item.id for item in await uow.outbox.claim(NOW, 10, "a", LEASE)]
        await uow.commit()
    later = NOW + LEASE + timedelta(seconds=1)
    async with db.unit_of_work() as uow:  # "a" stalled; "b" took one of its rows
        taken = [item.id for item in await uow.outbox.claim(later, 1, "b", LEASE)]
        await uow.commit()
    async with db.unit_of_work() as uow:
        kept = await uow.outbox.renew(held, "a", later + LEASE)
        await uow.commit()
    assert kept == set(held) - set(taken) and len(kept) == 1


async def test_release_gives_rows_back_at_once(db: Database) -> None:
    await queue(db, people=2, each=1)
    assert len(await claim(db, "a", NOW)) == 2
    async with db.unit_of_work() as uow:
        assert await uow.outbox.release("a") == 2
        await uow.commit()
    assert len(await claim(db, "b", NOW)) == 2


async def test_sent_rows_are_no_longer_claimed(db: Database) -> None:
    await queue(db, people=1, each=1)
    async with db.unit_of_work() as uow:
        (item,) = await uow.outbox.claim(NOW, 10, "a", LEASE)
        await uow.outbox.mark_sent(item.id, NOW, 7)
        await uow.commit()
    async with db.unit_of_work() as uow:
        assert await uow.outbox.renew([item.id], "a", NOW + LEASE) == set()
    assert await claim(db, "b", NOW + 2 * LEASE) == []
