"""The /warn form under bad conditions: stale buttons, a restart half-way, a forwarded
photo, a pause of hours, wrong answers. Every time a kind answer, and nothing typed is
lost. And what the database keeps of a warning: nothing readable."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from bot.core import networks
from bot.core.notifications import Priority
from storage.models import OutboxRow, WarningRow
from tests.e2e.conftest import World
from tests.e2e.peers import CDMX, MIXCO, add_member, coordinator, follow, write_warning
from tests.e2e.test_at_rest import database_bytes
from tests.support.catalog import said
from tests.support.chance import Chance
from tests.support.units import committed

TEXT = "Describe al cliente Prueba: tatuaje de dragón en el brazo"
DELAYED = "\n".join(line for line in CDMX.splitlines() if "publish_delay" not in line)


async def test_the_form_survives_a_restart_a_photo_a_pause_and_wrong_answers(
    world: World, tmp_path: Path
) -> None:
    ana, bea = await world.members("ana", "bea")
    await coordinator(world, ana, "Alianza Prueba", CDMX)
    await add_member(ana, bea)
    await follow(bea, "Centro")

    await ana.send("/warn")
    kinds = await ana.receives(containing=said("warn.ask.kind"))
    await ana.press(kinds, "Robo")
    await ana.receives(containing=said("warn.ask.area"))
    await ana.send("una foto")  # text where a button is expected: a typo of an area
    await ana.receives(containing="No encuentro esa zona")
    await ana.receives(containing=said("warn.ask.area"))
    await ana.send("centro historico")  # an alias, without accents or capitals
    await ana.receives(containing=said("warn.ask.when"))
    await ana.press(kinds, "Robo")  # a stale button of this very form: asked again
    await ana.receives(containing=said("warn.ask.when"))
    await ana.press(None, "Hoy")
    await ana.receives(containing="Cuéntalo")
    await ana.send_photo(forwarded=True)
    await ana.receives(containing="no puedo usar fotos")
    await ana.receives(containing="Cuéntalo")
    await ana.send("x" * 1001)
    await ana.receives(containing="Es demasiado largo")
    await ana.receives(containing="Cuéntalo")
    typed = await ana.send(TEXT)
    extras = await ana.receives(containing=said("warn.ask.extras"))
    assert ana.is_deleted(typed)  # the description does not stay in her chat

    await world.restart(tmp_path)
    await world.advance(hours=5)  # she comes back hours later
    await ana.press(extras, "📞 Agregar teléfono")
    await ana.receives(containing="número de teléfono")
    await ana.send("123")
    await ana.receives(containing="No reconozco ese número")
    await ana.receives(containing="número de teléfono")
    await ana.send_contact("+52 55 4444 3333")
    await ana.receives(containing=said("warn.ask.extras"))

    await ana.send("/warn")  # a new /warn offers the form she left
    resume = await ana.receives(containing="Tienes un aviso a medias")
    await ana.press(resume, "Seguir con el que dejé")
    extras = await ana.receives(containing=said("warn.ask.extras"))
    await ana.press(extras, "Listo, revisar ➡️")
    review = await ana.receives(containing=said("warn.review"))
    for kept in ("Robo · Centro", TEXT, "📞 55 4444 3333"):
        assert kept in (review.text or ""), kept
    await ana.press(review, "✏️ Cambiar algo")
    change = await ana.receives(containing="¿Qué quieres cambiar?")
    await ana.press(change, "Zona")
    await ana.press(await ana.receives(containing=said("warn.ask.area")), "Norte")
    review = await ana.receives(containing=said("warn.review"))
    assert "Robo · Norte" in (review.text or "") and TEXT in (review.text or "")
    await ana.press(review, "✏️ Cambiar algo")
    await ana.press(await ana.receives(containing="¿Qué quieres cambiar?"), "Zona")
    await ana.send_location(19.4330, -99.1330)  # a pin answers "where" too
    review = await ana.receives(containing=said("warn.review"))
    await ana.press(review, "📣 Enviar")
    await ana.receives(containing=said("warn.sent_published"))
    published = await bea.receives(containing=TEXT)
    assert "Robo · Centro" in (published.text or "")

    await ana.press(review, "📣 Enviar")  # the form is closed: nothing is sent twice
    await ana.receives(containing="Ese formulario ya se cerró")
    await world.settle()
    await bea.receives_nothing()


async def test_cancel_keeps_nothing(world: World) -> None:
    ana = (await world.members("ana"))[0]
    await coordinator(world, ana, "Alianza Prueba", CDMX)
    await ana.send("/warn")
    await ana.press(await ana.receives(containing=said("warn.ask.kind")), "Cancelar")
    await ana.receives(containing="Aviso cancelado")
    await ana.send("/warn")
    await ana.receives(containing=said("warn.ask.kind"))  # a fresh form, not "you have a draft"


async def test_database_copy_reveals_no_warning(world: World, tmp_path: Path) -> None:
    ana, bea = await world.members("ana", "bea")
    await coordinator(world, ana, "Alianza Prueba", CDMX)
    await add_member(ana, bea)
    await follow(bea, "Centro")
    review = await write_warning(
        ana, text="Dragón Tatuado Prueba", phone="55 4444 3333", plate="PRB-9911"
    )
    await ana.press(review, "📣 Enviar")
    await bea.receives(containing="Dragón Tatuado Prueba")
    await bea.send("/check 55 4444 3333")
    await bea.receives(containing="Hay 1 aviso sobre")
    dump = await database_bytes(world, tmp_path)
    assert len(dump) > 1000
    for secret in (
        "Dragón",
        "Dragon",
        "Tatuado",
        "5544443333",  # the digits (a shorter run could match a random row id)
        "PRB9911",
        "PRB-9911",
        "Alianza",
        "Centro",
        "centro",
        "Clínica",
    ):
        assert secret.encode() not in dump, secret


async def test_a_photo_at_every_step_gets_the_same_question_again(world: World) -> None:
    ana = (await world.members("ana"))[0]
    await coordinator(world, ana, "Alianza Prueba", CDMX)
    await ana.send("/warn")
    steps = [
        ("¿Qué pasó?", "Otro"),
        ("¿En qué zona?", "Norte"),
        ("¿Cuándo pasó?", "Antes"),
        ("Cuéntalo", None),
        ("¿Quieres agregar", "Listo, revisar ➡️"),
        ("Así se verá tu aviso", "📣 Enviar"),
    ]
    for question, answer in steps:
        asked = await ana.receives(containing=question)
        await ana.send_photo(forwarded=True)
        await ana.receives(containing="no puedo usar fotos")
        again = await ana.receives(containing=question)
        assert again.buttons() == asked.buttons()
        if answer is None:
            await ana.send("Un texto de prueba suficiente")
        else:
            await ana.press(again, answer)
    await ana.receives(containing=said("warn.sent_published"))


async def test_a_warning_reaches_members_minutes_after_she_sends_it(world: World) -> None:
    """Its time does not point at her: followers get it after a random delay (2 to 20
    minutes by default; here the middle, 11), and nothing in the database dates it to the
    moment she tapped "Enviar"."""
    world.bot.core.chance = Chance(0.5)
    ana, bea = await world.members("ana", "bea")
    await coordinator(world, ana, "Alianza Prueba", DELAYED)
    await add_member(ana, bea)
    await follow(bea, "Centro")
    await world.advance(minutes=7, seconds=13)
    review = await write_warning(ana, text=TEXT)
    assert "saldrá unos minutos después de que lo envíes" in (review.text or "")
    pressed_at = world.clock.now()
    await ana.press(review, "📣 Enviar")
    sent = await ana.receives(containing=said("warn.sent_published", count=1))
    assert "se publicará en unos minutos" in (sent.text or "")
    await world.settle()
    await bea.receives_nothing()  # not at the press

    broadcast = OutboxRow.priority == int(Priority.BROADCAST)
    async with world.bot.core.db.unit_of_work() as uow:
        warning = (
            await uow.session.execute(select(WarningRow.created_at, WarningRow.published_at))
        ).one()
        held = (
            await uow.session.execute(
                select(OutboxRow.created_at, OutboxRow.not_before).where(broadcast)
            )
        ).one()
    at = pressed_at + timedelta(minutes=11)
    assert warning.published_at == at and held.not_before == at
    assert held.created_at == at  # queued with her reply, but not dated with it
    assert warning.created_at == pressed_at.replace(minute=0, second=0, microsecond=0)

    await world.advance(minutes=10, seconds=59)
    await bea.receives_nothing()
    await world.advance(seconds=1)
    await bea.receives(containing=TEXT)


async def test_a_member_who_leaves_during_the_delay_does_not_get_it(world: World) -> None:
    world.bot.core.chance = Chance(1.0)  # 20 minutes
    ana, bea, cris = await world.members("ana", "bea", "cris")
    await coordinator(world, ana, "Alianza Prueba", DELAYED)
    for person in (bea, cris):
        await add_member(ana, person)
        await follow(person, "Centro")
    await ana.press(await write_warning(ana, text=TEXT), "📣 Enviar")
    await ana.receives(containing=said("warn.sent_published", count=2))
    member = await world.member(cris)
    (mine,) = await committed(world.bot.core, networks.my_networks, member)
    await committed(world.bot.core, networks.leave_network, member, mine.network.id)
    await world.advance(minutes=20)
    await bea.receives(containing=TEXT)
    await world.settle()
    await cris.receives_nothing()


async def test_her_first_warnings_wait_for_review_even_in_an_open_network(world: World) -> None:
    gaby, eva = await world.members("gaby", "eva")
    await coordinator(world, gaby, "Colectiva Prueba", MIXCO)  # open
    await add_member(gaby, eva)
    await follow(gaby, "Mixco")
    await eva.press(await write_warning(eva, area="Mixco", text=TEXT), "📣 Enviar")
    await eva.receives(containing=said("warn.sent_first"))
    await gaby.receives(containing=said("warning.to_review", network="Colectiva Prueba"))
    await world.advance(minutes=20)
    await gaby.receives_nothing()  # waiting for her, not published


async def test_past_her_daily_limit_she_is_told_and_her_warning_is_kept(world: World) -> None:
    core = world.bot.core
    core.limits = replace(core.limits, warnings_per_day=1)
    ana, bea = await world.members("ana", "bea")
    await coordinator(world, ana, "Alianza Prueba", CDMX)
    await add_member(ana, bea)
    await follow(bea, "Centro")
    await ana.press(await write_warning(ana, text="Primer aviso de prueba"), "📣 Enviar")
    await ana.receives(containing=said("warn.sent_published", count=1))
    await bea.receives(containing="Primer aviso de prueba")
    review = await write_warning(ana, text=TEXT)
    await ana.press(review, "📣 Enviar")
    capped = await ana.receives(containing=said("warn.error.daily_limit", count=1))
    assert "queda guardado" in (capped.text or "")
    await world.settle()
    await bea.receives_nothing()
    await ana.send("/warn")  # her warning is kept: the form offers it
    await ana.receives(containing="Tienes un aviso a medias")
    await world.advance(hours=25)
    await ana.press(review, "📣 Enviar")  # the same button, a day later
    await ana.receives(containing=said("warn.sent_published", count=1))
    await bea.receives(containing=TEXT)
