"""Rotating the master key: every wrapped key opens with the new key and none with the old,
in one transaction that a failure or a kill half-way leaves untouched."""

from __future__ import annotations

import asyncio
import base64
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.records import Address, Alarm, CheckIn, Location, Member, Network, new_id
from storage.crypto import CryptoError, Keyring, Sealed, new_key
from storage.database import Database, WrongKeyError
from storage.models import Base, MemberRow, NetworkRow, SystemKey
from storage.rotation import RotationRefused, rotate_master_key
from tests.support.db import migrated_engine

NOW = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
DETAILS = "Hotel Prueba hab 12, Nissan gris TEST-000"
CONFIG = "areas:\n  - name: Centro\n"


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    async with migrated_engine(tmp_path) as engine:
        yield engine


@dataclass
class Everything:
    """What the bot reads back with a key: members, a network, a check-in, digests."""

    members: list[Member]
    found_by_telegram: list[str | None]
    networks: list[Network]
    found_by_name: str | None
    area_digest: bytes
    checkins: list[tuple[str | None, Location | None]]
    states: list[tuple[Alarm | None, int]]  # sealed with her key, not the check-in's


async def opened(engine: AsyncEngine, key: bytes) -> Database:
    db = Database(engine, Keyring(key))
    await db.open()
    return db


async def populate(engine: AsyncEngine, key: bytes, members: int = 3) -> None:
    """Members with aliases, a network, and a running check-in with details and a pin."""
    db = await opened(engine, key)
    async with db.unit_of_work() as uow:
        added = [
            await uow.members.add(1_000_000 + n, "es", "America/Mexico_City", NOW)
            for n in range(members)
        ]
        for n, member in enumerate(added):
            # Her settings are sealed with her key: they too must open after a rotation.
            await uow.members.save(
                replace(member, alias=f"Prueba {n}", discreet=n == 0, address=Address.HE)
            )
        await uow.networks.add("Alianza Prueba", CONFIG, NOW)
        await uow.checkins.add(
            CheckIn(
                id=new_id(),
                member_id=added[0].id,
                status="active",
                stage="none",
                started_at=NOW,
                deadline_at=NOW + timedelta(hours=1),
                next_action_at=NOW + timedelta(minutes=50),
                details=DETAILS,
                location=Location(19.4326, -99.1332),
                alarm=Alarm.SOS,
                pin_tries=1,
            )
        )
        await uow.commit()


async def read_everything(engine: AsyncEngine, key: bytes) -> Everything:
    db = await opened(engine, key)
    async with db.unit_of_work() as uow:
        ids = await uow.members.ids_after("", 10_000)
        members = [m for m in [await uow.members.get(i) for i in ids] if m is not None]
        found = [await uow.members.find_by_telegram(m.chat_id) for m in members]
        networks = await uow.networks.all()
        by_name = await uow.networks.find_by_name("alianza  prueba")
        running = [c for m in members for c in await uow.checkins.all_open_for(m.id)]
        return Everything(
            members=members,
            found_by_telegram=[m.id if m else None for m in found],
            networks=networks,
            found_by_name=by_name.id if by_name else None,
            area_digest=await uow.networks.digest(networks[0].id, "area", "Centro"),
            checkins=[(c.details, c.location) for c in running],
            states=[(c.alarm, c.pin_tries) for c in running],
        )


async def raw_rows(engine: AsyncEngine) -> dict[str, list[tuple[Any, ...]]]:
    """Every value of every table, as a copy of the database would show them."""
    async with engine.connect() as connection:
        return {
            table.name: sorted(
                (tuple(row) for row in await connection.execute(select(table))), key=repr
            )
            for table in Base.metadata.sorted_tables
        }


async def wrapped_keys(engine: AsyncEngine) -> list[tuple[str, bytes]]:
    """Every value wrapped by the master key, with the owner it is bound to."""
    async with engine.connect() as connection:
        system = await connection.execute(select(SystemKey.name, SystemKey.wrapped))
        members = await connection.execute(select(MemberRow.id, MemberRow.key_wrapped))
        networks = await connection.execute(select(NetworkRow.id, NetworkRow.key_wrapped))
        return [
            *((f"system:{name}", wrapped) for name, wrapped in system),
            *((f"member:{row_id}", wrapped) for row_id, wrapped in members),
            *((f"network:{row_id}", wrapped) for row_id, wrapped in networks),
        ]


def fail_on_wrap(monkeypatch: pytest.MonkeyPatch, call: int) -> None:
    """The `call`-th key wrapped from now on raises, as a crash would stop the rotation."""
    calls = 0
    real_wrap = Keyring.wrap

    def wrap(self: Keyring, key: bytes, owner: str) -> Sealed:
        nonlocal calls
        calls += 1
        if calls == call:
            raise RuntimeError("power cut")
        return real_wrap(self, key, owner)

    monkeypatch.setattr(Keyring, "wrap", wrap)


async def test_after_rotation_the_old_key_opens_nothing_and_the_new_key_everything(
    engine: AsyncEngine,
) -> None:
    old, new = new_key(), new_key()
    await populate(engine, old)
    before = await read_everything(engine, old)

    report = await rotate_master_key(engine, old, new)

    assert (report.system_keys, report.members, report.networks) == (1, 3, 1)
    with pytest.raises(WrongKeyError):
        await opened(engine, old)
    for owner, wrapped in await wrapped_keys(engine):
        with pytest.raises(CryptoError):
            Keyring(old).unwrap(wrapped, owner)
    after = await read_everything(engine, new)
    assert after == before
    assert sorted(m.alias or "" for m in after.members) == ["Prueba 0", "Prueba 1", "Prueba 2"]
    assert after.found_by_telegram == [m.id for m in after.members]
    assert after.networks[0].config == CONFIG and after.found_by_name == after.networks[0].id
    assert after.checkins == [(DETAILS, Location(19.4326, -99.1332))]
    assert after.states == [(Alarm.SOS, 1)]
    assert [(m.discreet, m.address) for m in after.members].count((True, Address.HE)) == 1


async def test_the_new_key_keeps_working_for_new_rows(engine: AsyncEngine) -> None:
    old, new = new_key(), new_key()
    await populate(engine, old, members=1)
    await rotate_master_key(engine, old, new)
    db = await opened(engine, new)
    async with db.unit_of_work() as uow:
        eva = await uow.members.add(2_000_000, "es", "America/Mexico_City", NOW)
        await uow.commit()
    async with db.unit_of_work() as uow:
        found = await uow.members.find_by_telegram(2_000_000)
    assert found is not None and found.id == eva.id and found.chat_id == 2_000_000


async def test_members_are_rewrapped_a_page_at_a_time(engine: AsyncEngine) -> None:
    old, new = new_key(), new_key()
    await populate(engine, old, members=7)
    before = await read_everything(engine, old)
    member_pages = 0

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        nonlocal member_pages
        if statement.lstrip().upper().startswith("SELECT") and "FROM members" in statement:
            member_pages += 1

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        report = await rotate_master_key(engine, old, new, page_size=3)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)

    assert report.members == 7
    assert member_pages == 4  # 3 + 3 + 1, then an empty page
    assert await read_everything(engine, new) == before
    with pytest.raises(WrongKeyError):
        await opened(engine, old)


@pytest.mark.parametrize("failing_call", [1, 2, 6, 7], ids=["index", "first", "last", "network"])
async def test_a_failure_half_way_changes_nothing(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch, failing_call: int
) -> None:
    old, new = new_key(), new_key()
    await populate(engine, old, members=5)
    before, rows = await read_everything(engine, old), await raw_rows(engine)
    fail_on_wrap(monkeypatch, failing_call)  # 1: the index, 2-6: members, 7: the network

    with pytest.raises(RuntimeError, match="power cut"):
        await rotate_master_key(engine, old, new, page_size=2)

    monkeypatch.undo()
    assert await raw_rows(engine) == rows
    assert await read_everything(engine, old) == before
    with pytest.raises(WrongKeyError):
        await opened(engine, new)
    await rotate_master_key(engine, old, new, page_size=2)  # and it can be run again
    assert await read_everything(engine, new) == before


KILLED_ROTATION = """
import asyncio, base64, os, sys, time
from storage.crypto import Keyring
from storage.database import make_engine
from storage.rotation import rotate_master_key

real_wrap, calls = Keyring.wrap, 0

def wrap(self, key, owner):
    global calls
    calls += 1
    if calls == 4:  # the index and two members are rewrapped, and written
        print("half-way", flush=True)
        time.sleep(60)
    return real_wrap(self, key, owner)

Keyring.wrap = wrap
old, new = (base64.b64decode(os.environ[name]) for name in ("OLD_KEY", "NEW_KEY"))
asyncio.run(rotate_master_key(make_engine(os.environ["URL"]), old, new, page_size=2))
"""


async def test_a_rotation_killed_half_way_leaves_the_database_as_it_was(
    engine: AsyncEngine,
) -> None:
    old, new = new_key(), new_key()
    await populate(engine, old, members=5)
    before, rows = await read_everything(engine, old), await raw_rows(engine)
    await engine.dispose()  # nothing of ours holds the database while it is killed
    env = {
        **os.environ,
        "URL": engine.url.render_as_string(hide_password=False),
        "OLD_KEY": base64.b64encode(old).decode(),
        "NEW_KEY": base64.b64encode(new).decode(),
    }
    rotation = await asyncio.create_subprocess_exec(
        sys.executable, "-c", KILLED_ROTATION, env=env, stdout=asyncio.subprocess.PIPE
    )
    try:
        assert rotation.stdout is not None
        line = await asyncio.wait_for(rotation.stdout.readline(), timeout=30)
        assert line.strip() == b"half-way"
    finally:
        rotation.kill()  # SIGKILL: no chance to roll back or close anything
        await rotation.wait()

    assert await raw_rows(engine) == rows
    assert await read_everything(engine, old) == before
    await rotate_master_key(engine, old, new)
    assert await read_everything(engine, new) == before


async def test_running_it_again_says_it_was_already_rotated(engine: AsyncEngine) -> None:
    old, new = new_key(), new_key()
    await populate(engine, old, members=1)
    await rotate_master_key(engine, old, new)
    rows = await raw_rows(engine)
    with pytest.raises(WrongKeyError, match="already rotated"):
        await rotate_master_key(engine, old, new)
    with pytest.raises(WrongKeyError, match="does not open this database; was it already"):
        await rotate_master_key(engine, new_key(), new_key())
    assert await raw_rows(engine) == rows


async def test_the_same_key_or_a_database_without_keys_is_refused(engine: AsyncEngine) -> None:
    key = new_key()
    with pytest.raises(RotationRefused, match="no keys yet"):
        await rotate_master_key(engine, key, new_key())
    await populate(engine, key, members=1)
    with pytest.raises(RotationRefused, match="current one"):
        await rotate_master_key(engine, key, key)
    await read_everything(engine, key)


async def test_a_key_that_does_not_open_is_refused_before_anything_changes(
    engine: AsyncEngine,
) -> None:
    old, new = new_key(), new_key()
    await populate(engine, old, members=3)
    async with engine.begin() as connection:  # a member wrapped under some other key
        member_id = (await connection.execute(select(MemberRow.id).limit(1))).scalar_one()
        await connection.execute(
            update(MemberRow)
            .where(MemberRow.id == member_id)
            .values(key_wrapped=Keyring(new_key()).wrap(new_key(), f"member:{member_id}"))
        )
    rows = await raw_rows(engine)
    with pytest.raises(WrongKeyError, match=f"member:{member_id}; nothing was changed"):
        await rotate_master_key(engine, old, new)
    assert await raw_rows(engine) == rows
