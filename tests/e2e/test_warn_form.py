"""The /warn form under bad conditions: stale buttons, a restart half-way, a forwarded
photo, a pause of hours, wrong answers. Every time a kind answer, and nothing typed is
lost. And what the database keeps of a warning: nothing readable."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import World
from tests.e2e.peers import CDMX, add_member, coordinator, follow, write_warning
from tests.e2e.test_at_rest import database_bytes
from tests.support.catalog import said

TEXT = "Describe al cliente Prueba: tatuaje de dragón en el brazo"


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
