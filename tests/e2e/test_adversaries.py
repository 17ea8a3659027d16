"""Claims of docs/threat-model.md about what an adversary cannot do that no feature's own
test checks: a removed contact gets no alert, a member cannot see who else is in her network
or what they did, the server with the key cannot tell which numbers were checked, a sent
message's text is not kept, and the lock that serializes a person's updates names nobody."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select, text

from bot.core.phones import normalize_phone
from storage.models import Base
from tests.e2e.conftest import GRACE, World, set_pins, short_checkin
from tests.e2e.peers import CDMX, add_member, coordinator, follow, write_warning
from tests.e2e.test_at_rest import database_bytes
from tests.support.catalog import said

CHECKED = "55 2468 1357"  # a number nobody warned about
DETAILS = "Hotel Nopal Prueba, placa TEST-4411"
CODEWORD = "Gardenia Turquesa Prueba"
SAFE_PIN, DURESS_PIN = "582914", "835261"


async def test_a_removed_contact_gets_no_more_alerts(world: World) -> None:
    ana, luz, eva = await world.members("ana", "luz", "eva")
    await world.link(ana, luz, eva)
    await ana.send("/contacts")
    await ana.press(await ana.receives(containing=said("contacts.list.mine")), "Quitar a Luz")
    await luz.receives(containing="Ana ya no te tiene como contacto")
    await short_checkin(ana, DETAILS)
    await world.settle()  # started before the clock moves
    await world.advance(minutes=1, seconds=GRACE + 1)
    await eva.receives(containing="TEST-4411")
    await ana.send("/sos")
    await eva.receives(containing="EMERGENCIA")
    await world.advance(hours=2)
    await luz.receives_nothing()
    assert not any("TEST-4411" in (m.text or "") for m in luz.inbox())


async def test_a_contact_learns_no_code_word_pin_network_or_other_contact(world: World) -> None:
    ana, luz, eva = await world.members("ana", "luz", "eva")
    await world.link(ana, luz, eva)
    await coordinator(world, ana, "Alianza Prueba", CDMX)
    await ana.send(f"/codeword {CODEWORD}")
    await ana.press(await ana.receives(containing=said("codeword.choose_reply")), "«👍»")
    await ana.receives(containing=said("codeword.reply_saved"))
    await set_pins(ana, SAFE_PIN, DURESS_PIN)
    await ana.send(f"/checkin 1h {DETAILS}")
    await ana.receives(containing=said("checkin.details_saved_deleted"))
    await ana.press(None, "✅ Estoy bien")
    await ana.receives(containing=said("pin.ask"))
    await ana.send(DURESS_PIN)
    await luz.receives(containing="TEST-4411")
    await ana.send(CODEWORD)
    await luz.receives(containing="palabra clave")
    await world.advance(hours=2)
    told = " ".join(f"{m.text or ''} {' '.join(m.buttons())}" for m in luz.inbox())
    assert "Ana" in told and "TEST-4411" in told
    secrets = (CODEWORD, "Gardenia", SAFE_PIN, DURESS_PIN, "Eva", "Alianza", "Centro")
    for secret in secrets:
        assert secret not in told, f"a contact read something of hers ({secret[:2]}…)"


async def test_a_member_sees_neither_the_members_nor_what_they_do(world: World) -> None:
    ana, bea, mala, luz = await world.members("ana", "bea", "mala", "luz")
    await coordinator(world, ana, "Alianza Prueba", CDMX)
    await add_member(ana, bea)
    await add_member(ana, mala)
    await follow(mala, "Centro")
    await world.link(bea, luz)
    await bea.send(f"/checkin 2h {DETAILS}")
    await bea.receives(containing=said("checkin.started"))
    await bea.send(f"/check {CHECKED}")
    await bea.receives(containing=said("check.none"))
    await world.settle()
    seen = len(mala.inbox())
    for command in ("/remove", "/pending", "/network", "/contacts", "/areas", "/help"):
        await mala.send(command)
        await world.settle()
    for ask in ("/remove", "/pending"):
        await mala.send(ask)
        await mala.receives(containing=said("network.error.not_coordinator"))
    await world.settle()
    shown = " ".join(f"{m.text or ''} {' '.join(m.buttons())}" for m in mala.inbox()[seen:])
    assert shown.strip()
    for other in ("Bea", "Luz", "Nopal", "TEST-4411", CHECKED, "2468"):
        assert other not in shown, f"a member's chat shows something of another ({other[:2]}…)"


async def all_rows(world: World) -> dict[str, set[tuple[Any, ...]]]:
    """Every row of every table, as tuples of its values."""
    tables = {}
    async with world.bot.core.db.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            result = await connection.execute(select(table))
            tables[table.name] = {tuple(row) for row in result.all()}
    return tables


async def test_which_numbers_were_checked_is_kept_nowhere(world: World, tmp_path: Path) -> None:
    ana, bea = await world.members("ana", "bea")
    await coordinator(world, ana, "Alianza Prueba", CDMX)
    await add_member(ana, bea)
    await world.settle()
    before = await all_rows(world)
    await bea.send(f"/check {CHECKED}")
    await bea.receives(containing=said("check.none"))
    await bea.send("/check")  # the number in a message of its own
    await bea.receives()
    await bea.send("55-2468-1357")
    await bea.receives(containing=said("check.none"))
    await world.settle()
    after = await all_rows(world)

    changed = {name for name in after if after[name] != before[name]}
    # Her count of checks, her replies (sent: their text is gone), her last visit, and the
    # ledger of handled updates; nothing else moves.
    assert changed <= {"check_counts", "outbox", "members", "handled_updates", "send_pace"}
    async with world.bot.core.db.unit_of_work() as uow:
        payloads = (await uow.session.execute(text("SELECT payload_sealed FROM outbox"))).all()
        network_id = (await uow.session.execute(text("SELECT id FROM networks"))).scalar_one()
        phone = normalize_phone(CHECKED, "MX")
        assert phone is not None
        digest = await uow.networks.digest(network_id, "phone", phone)
    assert all(payload is None for (payload,) in payloads)
    member = await world.member(bea)
    assert member.conversation is None or "2468" not in str(member.conversation)
    dump = await database_bytes(world, tmp_path)
    assert digest not in dump and digest.hex().encode() not in dump
    assert b"2468" not in dump and phone.encode() not in dump


async def test_a_sent_message_keeps_no_text(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await short_checkin(ana, DETAILS)
    await world.settle()  # started before the clock moves
    await world.advance(minutes=1, seconds=GRACE + 1)
    await luz.receives(containing="TEST-4411")
    await world.settle()
    async with world.bot.core.db.unit_of_work() as uow:
        rows = (await uow.session.execute(text("SELECT status, payload_sealed FROM outbox"))).all()
    sent = [payload for status, payload in rows if status == "sent"]
    assert len(sent) >= 5
    assert all(payload is None for payload in sent)
    assert all(payload is None for status, payload in rows if status != "pending")


async def test_the_lock_on_a_persons_updates_names_nobody(world: World, tmp_path: Path) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await world.settle()
    dump = await database_bytes(world, tmp_path)
    for person in (ana, luz):
        key = world.bot.application._person_key(person.id)
        assert key != person.id
        assert str(person.id) not in str(key)
        assert key.to_bytes(8, "big", signed=True) not in dump  # matches no stored column


async def test_known_gap_publish_and_trust_stars_the_author_in_the_members_list(
    world: World,
) -> None:
    """A known gap, kept visible: a coordinator who compares her members list before and
    after "Publish and trust its author" learns who wrote the warning."""
    ana, bea, cris = await world.members("ana", "bea", "cris")
    await coordinator(world, ana, "Alianza Prueba", CDMX)
    await add_member(ana, bea)
    await add_member(ana, cris)
    await ana.send("/remove")
    before = await ana.receives(containing="Integrantes de Alianza Prueba")
    await bea.press(await write_warning(bea, text="Aviso de autora oculta"), "📣 Enviar")
    await ana.receives(containing=said("warning.to_review"))
    await ana.send("/pending")
    pending = await ana.receives(containing="Aviso de autora oculta")
    assert "Bea" not in (pending.text or "")
    await ana.press(pending, "✅ Publicar y confiar en quien lo escribió")
    await ana.receives(containing="se publicarán sin esperar")
    await ana.send("/remove")
    after = await ana.receives(containing="Integrantes de Alianza Prueba")
    starred = set(after.buttons()) - set(before.buttons())
    assert starred == {"⭐ Bea"}
