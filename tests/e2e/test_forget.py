"""/forget erases a member at once; a member not seen for 180 days is told, then forgotten.
Afterwards no row refers to her and nothing her key sealed is left."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import event, select

from bot.emulator import EmulatedUser, SentMessage
from storage.crypto import CryptoError, Keyring, unseal
from storage.models import Base, CheckInRow, MemberRow, WarningRow
from tests.e2e.conftest import World, set_pins
from tests.e2e.peers import CDMX, add_member, coordinator, write_warning
from tests.support.catalog import said

STORAGE = Path(__file__).parent.parent.parent / "storage"


def aad_prefixes() -> set[str]:
    """Every "table:column:" the code seals under, read from the storage code itself."""
    found = set()
    for path in STORAGE.glob("*.py"):
        found |= set(re.findall(r'f"([a-z_]+:[a-z_]+):\{', path.read_text()))
    assert len(found) > 8, found
    return found


async def once_settled(world: World, user: EmulatedUser, message: SentMessage) -> SentMessage:
    """The message as it reads once the bot has settled (edits included)."""
    await world.settle()
    return [m for m in user.inbox() if m.message_id == message.message_id][-1]


async def everything(world: World) -> list[tuple[str, str, object]]:
    """(table, row id, value) of every column of every row."""
    values = []
    async with world.bot.core.db.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for row in await connection.execute(select(table)):
                key = str(row[0])
                values.extend((table.name, key, value) for value in row)
    return values


def opens(key: bytes, sealed: bytes, row_ids: set[str], prefixes: set[str]) -> bool:
    for prefix in prefixes:
        for row_id in row_ids:
            try:
                AESGCM(key).decrypt(sealed[:12], sealed[12:], f"{prefix}:{row_id}".encode())
                return True
            except (InvalidTag, ValueError):
                continue
    return False


async def test_forget_erases_her_and_tells_her_people_only_that_she_is_gone(
    world: World,
) -> None:
    ana, luz, eva = await world.members("ana", "luz", "eva")
    await world.link(ana, luz)
    await world.link(eva, ana)  # she watches over Eva too
    await coordinator(world, eva, "Alianza Prueba", CDMX)
    await add_member(eva, ana)
    await ana.press(await write_warning(ana, text="Aviso que sobrevive"), "📣 Enviar")
    await ana.send("/codeword cigarros de prueba")
    await ana.receives(containing="palabra clave")
    await set_pins(ana, "4821", "7350")
    await ana.send("/checkin 2h Hotel Olvido Prueba, TEST-4455")
    await ana.receives(containing=said("checkin.started"))
    await ana.send_location(19.43, -99.13)
    await ana.receives(containing=said("checkin.location_saved"))
    stored = await world.member(ana)
    async with world.bot.core.db.unit_of_work() as uow:
        key = await uow.members.key_for(stored.id)
    assert key is not None
    before = await everything(world)
    assert any(value == stored.id for _, _, value in before)

    await ana.send("/forget")
    await ana.press(await ana.receives(containing=said("forget.confirm")), "Sí, borrar todo")
    await ana.receives(containing="Primero termina tu check-in")  # it would stop her alert
    await ana.send("/safe")
    await ana.receives(containing=said("pin.ask"))
    await ana.send("4821")
    await ana.receives(containing=said("checkin.safe"))

    await ana.send("/forget")
    confirm = await ana.receives(containing=said("forget.confirm"))
    await ana.press(confirm, "Sí, borrar todo")
    await luz.receives(containing=said("contacts.forgotten", label="Ana"))
    await eva.receives(containing=said("contacts.forgotten", label="Ana"))
    edited = await once_settled(world, ana, confirm)  # she has no row to write to
    assert said("forget.done") in (edited.text or "")
    assert not edited.buttons()

    after = await everything(world)
    assert not [t for t, _, v in after if v == stored.id or v == stored.id.encode()]
    prefixes = aad_prefixes()
    row_ids = {row_id for _, row_id, _ in before} | {stored.id}
    sealed = [v for _, _, v in after if isinstance(v, bytes) and len(v) > 28]
    assert sealed  # other people's data is still there, and opens with their keys only
    assert not [v for v in sealed if opens(key, v, row_ids, prefixes)]
    async with world.bot.core.db.unit_of_work() as uow:
        reporters = (
            await uow.session.execute(
                select(WarningRow.reporter_digest, WarningRow.reporter_sealed)
            )
        ).all()
    assert reporters == [(None, None)]  # her warning stays, anonymous

    await ana.send("/start")  # a stranger now: asked for an alias again
    await ana.receives(containing="¿Qué nombre quieres")


async def test_saying_no_erases_nothing(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await ana.send("/forget")
    await ana.press(await ana.receives(containing="¿Borro todo"), "No, mejor no")
    await ana.receives(containing="No borré nada")
    await ana.send("/contacts")
    await ana.receives(containing="Luz")


async def test_a_member_not_seen_for_180_days_is_told_then_forgotten(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await world.advance(days=173, hours=1)
    await ana.receives(containing="Si no me escribes en 7 días")
    await luz.receives(containing="Si no me escribes en 7 días")
    await world.advance(days=2)
    await luz.send("/start")  # Luz is back: she stays
    await luz.receives(containing="Luz")
    await world.advance(days=5, hours=2)
    await luz.receives(containing=said("contacts.forgotten", label="Ana"))
    await world.advance(days=1)
    await luz.send("/contacts")
    await luz.receives(containing="Todavía no tienes contactos")
    ana_gone = await everything(world)
    async with world.bot.core.db.unit_of_work() as uow:
        assert await uow.members.find_by_telegram(ana.id) is None
        assert await uow.members.find_by_telegram(luz.id) is not None
    assert ana_gone


async def test_clean_deletes_the_bots_messages_in_her_chat(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await ana.send("/checkin 1h Hotel Limpio Prueba")
    await ana.receives(containing=said("checkin.started"))
    await ana.receives(containing=said("checkin.details_saved_deleted"))
    await world.settle()  # the sender records each message's id after Telegram took it
    sent_before = [m for m in ana.inbox() if not m.deleted]
    assert len(sent_before) >= 5
    command = await ana.send("/clean")
    done = await ana.receives(containing="🧹 Borré")
    assert said("clean.done", count=len(sent_before)) in (done.text or "")
    assert all(m.deleted for m in sent_before) and ana.is_deleted(command)
    assert not [m for m in luz.inbox() if m.deleted]  # only her chat
    await world.settle()
    await ana.send("/clean")  # what was deleted is not on record any more
    again = await ana.receives(containing="🧹 Borré")
    assert said("clean.done", count=1) in (again.text or "")  # the previous "Borré" line only


async def test_forget_under_duress_looks_done_and_the_alarm_goes_on(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await set_pins(ana, "4821", "7350")
    await ana.send("/checkin 1h Hotel Coacción Prueba")
    await ana.receives(containing=said("checkin.started"))
    await ana.send("/safe")
    await ana.receives(containing=said("pin.ask"))
    await ana.send("7350")  # the duress PIN
    await luz.receives(containing="PELIGRO: Ana")
    await ana.send("/forget")
    confirm = await ana.receives(containing=said("forget.confirm"))
    await ana.press(confirm, "Sí, borrar todo")
    edited = await once_settled(world, ana, confirm)  # what the person watching sees
    assert said("forget.done") in (edited.text or "")
    await luz.receives_nothing()  # no "no longer linked": she is still there
    async with world.bot.core.db.unit_of_work() as uow:
        assert await uow.members.find_by_telegram(ana.id) is not None
    await world.advance(minutes=10, seconds=1)
    await luz.receives(containing="PELIGRO: Ana")  # the alarm repeats


def record_blobs(world: World) -> set[bytes]:
    """Every value of 16 bytes or more the bot passes to the database from now on: sealed
    values, wrapped keys, digests, as written (and looked up)."""
    seen: set[bytes] = set()

    def collect(value: object) -> None:
        if isinstance(value, bytes | bytearray | memoryview) and len(value) >= 16:
            seen.add(bytes(value))
        elif isinstance(value, dict):
            for item in value.values():
                collect(item)
        elif isinstance(value, list | tuple):
            for item in value:
                collect(item)

    def on_execute(*args: Any) -> None:
        collect(args[3])  # conn, cursor, statement, parameters, context, executemany

    event.listen(world.bot.core.db.engine.sync_engine, "before_cursor_execute", on_execute)
    return seen


async def live_blobs(world: World) -> set[bytes]:
    return {v for _, _, v in await everything(world) if isinstance(v, bytes) and len(v) >= 16}


def data_files(folder: Path) -> dict[str, bytes]:
    """Every file of the data folder as a thief would copy it: the database, its -wal and
    -shm files, anything else."""
    return {p.name: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def pieces_of(blob: bytes) -> list[bytes]:
    """The value, and 16-byte pieces of it (a long value spans overflow pages)."""
    middle = len(blob) // 2
    return [blob, blob[:16], blob[middle : middle + 16], blob[-16:]]


def found(files: dict[str, bytes], blobs: set[bytes]) -> list[tuple[str, int]]:
    return [
        (name, len(blob))
        for blob in blobs
        for name, data in files.items()
        if any(piece in data for piece in pieces_of(blob))
    ]


def opens_somewhere(files: dict[str, bytes], size: int, opens: Callable[[bytes], object]) -> int:
    """How many windows of `size` bytes, at every offset of every file, `opens` accepts."""
    count = 0
    for data in files.values():
        for offset in range(len(data) - size + 1):
            try:
                opens(data[offset : offset + size])
            except CryptoError:
                continue
            count += 1
    return count


async def test_no_file_of_the_database_keeps_what_im_safe_and_forget_erased(
    world: World, tmp_path: Path
) -> None:
    """SQLite's write-ahead log kept a forgotten member's wrapped key and sealed values,
    and they opened with the master key (issue 15). After "I'm safe" and after /forget,
    every file of the data folder (database, -wal, -shm) is read: no value the bot wrote
    before and has since deleted or replaced is in any of them, and no window of bytes at
    any offset opens as her check-in's key, its details, or her own key."""
    if not world.database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL keeps no files of ours: docs/threat-model.md says what it keeps")
    written = record_blobs(world)
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await ana.send("/codeword cigarros de prueba")
    await ana.receives(containing=said("codeword.choose_reply"))
    await set_pins(ana, "4821", "7350")
    await ana.send("/checkin 2h Hotel Borrado Prueba, TEST-6633")
    await ana.receives(containing=said("checkin.details_saved_deleted"))
    await ana.send_location(19.43, -99.13)
    await ana.receives(containing=said("checkin.location_saved"))
    await world.settle()
    stored = await world.member(ana)
    async with world.bot.core.db.unit_of_work() as uow:
        her_key = await uow.members.key_for(stored.id)
        checkin = (
            await uow.session.scalars(select(CheckInRow).where(CheckInRow.member_id == stored.id))
        ).one()
        member = await uow.session.get(MemberRow, stored.id)
        assert her_key is not None and member is not None
        her_wrapped_key, her_index = member.key_wrapped, member.telegram_index
        checkin_id, wrapped = checkin.id, checkin.key_wrapped
        details, location = checkin.details_sealed, checkin.location_sealed
    assert wrapped and details and location
    checkin_key = unseal(her_key, wrapped, f"checkins:key:{checkin_id}")

    before = set(written)  # all she had until now, and what others had
    await ana.send("/safe")
    await ana.receives(containing=said("pin.ask"))
    await ana.send("4821")
    await ana.receives(containing=said("checkin.safe"))
    await world.settle()
    files = data_files(tmp_path)
    assert "companera.db" in files and "companera.db-wal" in files
    gone = before - await live_blobs(world)  # deleted, or replaced by a newer value
    assert {wrapped, details, location} <= gone
    assert not found(files, gone)
    assert not opens_somewhere(
        files, len(wrapped), lambda c: unseal(her_key, c, f"checkins:key:{checkin_id}")
    )
    assert not opens_somewhere(
        files, len(details), lambda c: unseal(checkin_key, c, f"checkins:details:{checkin_id}")
    )

    before = set(written)
    await ana.send("/forget")
    await ana.press(await ana.receives(containing=said("forget.confirm")), "Sí, borrar todo")
    await luz.receives(containing=said("contacts.forgotten", label="Ana"))
    await world.settle()
    files = data_files(tmp_path)
    gone = before - await live_blobs(world)
    assert {her_wrapped_key, her_index} <= gone
    assert not found(files, gone)
    keyring = Keyring(world.master_key)
    assert not opens_somewhere(
        files, len(her_wrapped_key), lambda c: keyring.unwrap(c, f"member:{stored.id}")
    )
