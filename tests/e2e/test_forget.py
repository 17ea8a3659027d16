"""/forget erases a member at once; a member not seen for 180 days is told, then forgotten.
Afterwards no row refers to her and nothing her key sealed is left."""

from __future__ import annotations

import re
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select

from bot.emulator import EmulatedUser, SentMessage
from storage.models import Base, WarningRow
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
