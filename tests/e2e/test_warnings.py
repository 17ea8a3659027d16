"""Warnings end to end, with two networks on one bot: review, publication to the area's
followers only, trust, marks and flags, /check written many ways, its limit, expiry."""

from __future__ import annotations

from bot.emulator import EmulatedUser
from tests.e2e.conftest import World
from tests.e2e.peers import CDMX, MIXCO, add_member, coordinator, follow, write_warning
from tests.support.catalog import said

PHONE = "55 1234 5678"
TEXT = "Se pone agresivo al pagar, camioneta blanca"


async def cdmx(world: World, *names: str) -> list[EmulatedUser]:
    """Ana coordinates Alianza Prueba; the others are members."""
    people = await world.members("ana", *names)
    await coordinator(world, people[0], "Alianza Prueba", CDMX)
    for person in people[1:]:
        await add_member(people[0], person)
    return people


async def test_a_warning_waits_for_review_then_reaches_only_the_area(world: World) -> None:
    ana, bea, cris, dora = await cdmx(world, "bea", "cris", "dora")
    gaby, eva = await world.members("gaby", "eva")
    await coordinator(world, gaby, "Colectiva Prueba", MIXCO)
    await add_member(gaby, eva)
    await follow(bea, "Centro")
    await follow(cris, "Centro")
    await follow(dora, "Norte")
    await follow(eva, "Mixco")

    review = await write_warning(bea, text=TEXT, phone=PHONE, plate="p 123 abc")
    assert review.protect_content
    for line in ("Cliente violento · Centro", TEXT, "📞 55 1234 5678", "🚗 P123ABC"):
        assert line in (review.text or ""), line
    await bea.press(review, "📣 Enviar")
    await bea.receives(containing=said("warn.sent_pending"))
    await ana.receives(containing="Hay un aviso por revisar en Alianza Prueba")
    await world.settle()
    await cris.receives_nothing()  # nothing goes out before review

    await ana.send("/pending")
    pending = await ana.receives(containing="Aviso por revisar (1 en espera)")
    assert TEXT in (pending.text or "") and "Bea" not in (pending.text or "")
    await ana.press(pending, "✅ Publicar")
    await ana.receives(containing="Publicado")
    await ana.receives(containing="No hay avisos por revisar")
    await bea.receives(containing="Tu aviso fue revisado y publicado")

    warning = await cris.receives(containing="Aviso de Alianza Prueba")
    assert "Cliente violento · Centro" in (warning.text or "")
    assert "Bea" not in (warning.text or "") and "ayer" not in (warning.text or "").lower()
    assert "Pasó el 1 mar" in (warning.text or "")  # the day before it was sent, no time
    assert warning.buttons() == ["🙋 A mí también me pasó", "⚑ Es falso o abusivo"]
    assert warning.protect_content  # not forwarded out of the network
    # Its author follows the area too: she gets it as every follower does, so that who
    # received it says nothing of who wrote it.
    own = await bea.receives(containing="Aviso de Alianza Prueba")
    assert own.text == warning.text and own.buttons() == warning.buttons()
    await world.settle()
    for outsider in (dora, eva, gaby):  # another area, another network
        await outsider.receives_nothing()
        assert not any(m.has_button("🙋 A mí también me pasó") for m in outsider.inbox())


async def test_a_trusted_member_publishes_at_once(world: World) -> None:
    ana, bea, cris = await cdmx(world, "bea", "cris")
    await follow(cris, "Centro")
    await bea.press(await write_warning(bea, text="Primer aviso de prueba"), "📣 Enviar")
    await ana.receives(containing=said("warning.to_review"))
    await ana.send("/pending")
    pending = await ana.receives(containing="Aviso por revisar")
    await ana.press(pending, "✅ Publicar y confiar en quien lo escribió")
    await ana.receives(containing="se publicarán sin esperar")
    await cris.receives(containing="Primer aviso de prueba")

    await bea.press(await write_warning(bea, text="Segundo aviso de prueba"), "📣 Enviar")
    published = await bea.receives(containing=said("warn.sent_published"))
    assert "Le llegará a 1 integrante de" in (published.text or "")
    await cris.receives(containing="Segundo aviso de prueba")
    await ana.send("/pending")
    await ana.receives(containing="No hay avisos por revisar")


async def test_coordinator_edits_or_rejects(world: World) -> None:
    ana, bea, cris = await cdmx(world, "bea", "cris")
    await follow(cris, "Centro")
    await bea.press(await write_warning(bea, text="Con el nombre de Fulanita Prueba"), "📣 Enviar")
    await bea.receives(containing=said("warn.sent_pending"))
    await world.advance(hours=1)  # dated to the hour: the oldest comes first, by the hour
    await bea.press(await write_warning(bea, text="Aviso que no se publica"), "📣 Enviar")
    await bea.receives(containing=said("warn.sent_pending"))  # both wait before she looks
    await ana.send("/pending")
    first = await ana.receives(containing="(2 en espera)")
    await ana.press(first, "✏️ Corregir el texto")
    await ana.receives(containing="Escribe el texto corregido")
    fixed = await ana.send("Sin nombres, versión corregida")
    await ana.receives(containing="Texto corregido")
    again = await ana.receives(containing="Sin nombres, versión corregida")
    assert ana.is_deleted(fixed)
    await ana.press(again, "✅ Publicar")
    published = await cris.receives(containing="Aviso de Alianza Prueba")
    assert "Sin nombres" in (published.text or "") and "Fulanita" not in (published.text or "")
    second = await ana.receives(containing="Aviso que no se publica")
    await ana.press(second, "✖ No publicar")
    await bea.receives(containing="no lo publicaron")
    await world.settle()
    await cris.receives_nothing()
    # A stale decision (the warning is gone) gets a kind answer.
    await ana.press(second, "✅ Publicar")
    await ana.receives(containing="Ese aviso ya no está")


async def test_me_too_counts_once_and_a_flag_goes_back_to_the_coordinators(world: World) -> None:
    ana, bea, cris, dora = await cdmx(world, "bea", "cris", "dora")
    await follow(cris, "Centro")
    await follow(dora, "Centro")
    await ana.press(await write_warning(ana, text=TEXT, phone=PHONE), "📣 Enviar")
    warning = await cris.receives(containing=TEXT)
    await cris.press(warning, "🙋 A mí también me pasó")
    await cris.receives(containing=said("warning.marked.me_too", count=1))
    await cris.press(warning, "🙋 A mí también me pasó")
    await cris.receives(containing="Ya lo habías marcado")
    await bea.send(f"/check {PHONE}")
    found = await bea.receives(containing="Hay 1 aviso sobre")
    assert "A 1 persona más también le pasó" in (found.text or "")

    flagged_by_dora = await dora.receives(containing=TEXT)
    await dora.press(flagged_by_dora, "⚑ Es falso o abusivo")
    await dora.receives(containing="Las coordinadoras lo van a revisar")
    await ana.receives(containing=said("warning.to_review"))
    await bea.send(f"/check {PHONE}")  # still up until a coordinator decides
    await bea.receives(containing="Hay 1 aviso sobre")
    await ana.send("/pending")
    flagged = await ana.receives(containing="señaló este aviso")
    await ana.press(flagged, "Quitar el aviso")
    await ana.receives(containing="Aviso quitado")
    await bea.send(f"/check {PHONE}")
    await bea.receives(containing=said("check.none"))


async def test_check_finds_the_number_however_it_is_written(world: World) -> None:
    ana, bea = await cdmx(world, "bea")
    await ana.press(await write_warning(ana, text=TEXT, phone=PHONE), "📣 Enviar")
    await ana.receives(containing=said("warn.sent_published"))
    writings = [
        "55 1234 5678",
        "55-1234-5678",
        "+52 55 1234 5678",
        "5255 1234 5678",
        "044 55 1234 5678",
        "+52 1 55 1234 5678",
        "(55) 1234-5678",
    ]
    for written in writings:
        sent = await bea.send(f"/check {written}")
        found = await bea.receives(containing="⚠️ Hay 1 aviso sobre")
        assert "(Cliente violento)" in (found.text or "") and TEXT in (found.text or "")
        assert found.protect_content
        assert bea.is_deleted(sent), written  # the number does not stay in her chat
    await bea.send("/check 55 8765 4321")
    await bea.receives(containing=said("check.none"))
    await bea.send("/check hola")
    await bea.receives(containing="No reconozco ese número")
    await bea.send_contact("+525512345678")  # a contact card checks its number
    await bea.receives(containing="⚠️ Hay 1 aviso sobre")


async def test_outsiders_learn_nothing_from_a_check(world: World) -> None:
    ana, _bea = await cdmx(world, "bea")
    await ana.press(await write_warning(ana, text=TEXT, phone=PHONE), "📣 Enviar")
    await ana.receives(containing=said("warn.sent_published"))
    gaby, eva = await world.members("gaby", "eva")
    await coordinator(world, gaby, "Colectiva Prueba", MIXCO)  # another network
    answers = []
    for person, number in ((eva, PHONE), (eva, "55 8765 4321"), (gaby, "+52 55 1234 5678")):
        await person.send(f"/check {number}")
        answers.append(await person.receives())
    assert answers[0].text == answers[1].text  # a stranger: the same words, listed or not
    assert "Solo las integrantes" in (answers[0].text or "")
    assert "No hay avisos activos" in (answers[2].text or "")  # Mixco cannot see Alianza's


async def test_check_limit_is_twenty_an_hour(world: World) -> None:
    ana, bea = await cdmx(world, "bea")
    for i in range(20):
        await bea.send(f"/check 55 1234 {5600 + i}")
        await bea.receives(containing=said("check.none"))
    await bea.send("/check 55 1234 5678")
    await bea.receives(containing="Ya revisaste 20 números en esta hora")
    await bea.send("/check esto no es un número")  # bad input does not use a check up
    await bea.receives(containing="No reconozco")
    await world.advance(hours=1, seconds=1)
    await bea.send("/check 55 1234 5678")
    await bea.receives(containing=said("check.none"))
    del ana


async def test_warnings_expire_with_the_network_retention(world: World) -> None:
    ana, bea = await cdmx(world, "bea")
    await ana.press(await write_warning(ana, text=TEXT, phone=PHONE), "📣 Enviar")
    await ana.receives(containing=said("warn.sent_published"))
    await world.advance(days=89)
    await bea.send(f"/check {PHONE}")
    await bea.receives(containing="Hay 1 aviso sobre")
    await world.advance(days=1, seconds=1)
    await world.advance(seconds=1)
    await bea.send(f"/check {PHONE}")
    await bea.receives(containing=said("check.none"))
    async with world.bot.core.db.unit_of_work() as uow:
        from sqlalchemy import func, select

        from storage.models import WarningIdentifierRow, WarningRow

        for table in (WarningRow, WarningIdentifierRow):
            count = await uow.session.scalar(select(func.count()).select_from(table))
            assert count == 0, table.__tablename__


async def test_a_coordinator_removes_a_published_warning_from_its_flag_button(
    world: World,
) -> None:
    ana, bea, cris = await cdmx(world, "bea", "cris")
    await follow(ana, "Centro")
    await follow(cris, "Centro")
    await bea.press(await write_warning(bea, text=TEXT, phone=PHONE), "📣 Enviar")
    await ana.receives(containing=said("warning.to_review"))  # Bea's warning is in
    await ana.send("/pending")
    await ana.press(await ana.receives(containing="Aviso por revisar"), "✅ Publicar")
    published = await ana.receives(containing="Aviso de Alianza Prueba")
    await ana.press(published, "⚑ Es falso o abusivo")
    decision = await ana.receives(containing="Este aviso está publicado")
    assert decision.buttons() == ["Dejarlo publicado", "Quitar el aviso"]
    await ana.press(decision, "Quitar el aviso")
    await ana.receives(containing="Aviso quitado")
    await cris.receives(containing=TEXT)
    await cris.send(f"/check {PHONE}")
    await cris.receives(containing=said("check.none"))
    await cris.press(None, "🙋 A mí también me pasó")  # on a warning that is gone
    await cris.receives(containing="Ese aviso ya no está publicado")
