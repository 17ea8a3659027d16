"""/codeword: a phrase of her own raises a silent SOS; case, accents, punctuation and extra
spaces do not count; a message that merely contains it is not an alarm."""

from __future__ import annotations

from tests.e2e.conftest import World
from tests.support.catalog import said

PHRASE = "¿Me traes cigarros?"


async def test_codeword_in_one_message_then_sent_in_other_ways(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    command = await ana.send(f"/codeword {PHRASE}")
    await ana.receives(containing="Palabra clave guardada, y borré tu mensaje")
    assert ana.is_deleted(command)
    choose = await ana.receives(containing="qué contesto aquí")
    assert choose.buttons() == [  # which one she has is never marked
        "«👍»",
        "«Ok, gracias»",
        "«Ahorita te contesto»",
        "Nada (no contestar)",
    ]
    await ana.press(choose, "«Ok, gracias»")
    done = await ana.receives(containing=said("codeword.reply_saved"))
    assert done.text == "Listo." and ana.is_deleted(choose)  # the choice is not echoed
    assert not [m for m in ana.inbox() if "Ok, gracias" in (m.text or "") and not m.deleted]

    await ana.send("oye, ¿me traes cigarros? porfa")  # contains it: not an alarm...
    other = await ana.receives()
    assert other.text == "Ok, gracias" and not other.buttons()  # ...yet answered alike
    await world.settle()
    await luz.receives_nothing()

    for variant in ("  ME TRÁES   cigarros  ", "me traes cigarros?"):
        await ana.send(variant)
        answer = await ana.receives()
        assert answer.text == "Ok, gracias" and not answer.buttons()
        alert = await luz.receives(containing="EMERGENCIA")
        assert "mandó su palabra clave" in (alert.text or "")
        await world.settle()
        await ana.receives_nothing()  # nothing else shows in her chat
        await ana.send("/safe")  # as if nothing happened: no check-in runs for her
        await ana.receives(containing=said("checkin.error.none"))
        await world.settle()
        await luz.receives_nothing()  # and her contacts are not stood down
        await world.advance(minutes=1)  # again, later: a new round of the same alarm


async def test_guided_codeword_with_no_reply_during_a_checkin(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await ana.send("/codeword")
    await ana.receives(containing="Escríbela ahora")
    await ana.send("ab")
    await ana.receives(containing="Esa frase es muy corta")
    await ana.send("12345")
    await ana.receives(containing="Usa palabras, no solo números")
    typed = await ana.send("Pistache azul")
    await ana.receives(containing="Palabra clave guardada")
    assert ana.is_deleted(typed)
    await ana.press(
        await ana.receives(containing=said("codeword.choose_reply")), "Nada (no contestar)"
    )
    await ana.receives(containing=said("codeword.reply_saved"))

    await ana.send("/checkin 1h Hotel Prueba Lila hab 9")
    await ana.receives(containing=said("checkin.details_saved_deleted"))
    await ana.send("pistache AZUL")
    alert = await luz.receives(containing="palabra clave")
    assert "Hotel Prueba Lila hab 9" in (alert.text or "")
    assert "tenía que confirmar 13:00" in (alert.text or "")
    await world.settle()
    await ana.receives_nothing()  # silence, as she chose


async def test_codeword_while_answering_another_question_still_raises_the_alarm(
    world: World,
) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await ana.send("/codeword pistache azul")
    await ana.receives(containing=said("codeword.choose_reply"))
    await ana.send("/checkin")
    await ana.press(await ana.receives(containing="Cuánto tiempo"), "Otro")
    await ana.receives(containing="Escribe cuánto tiempo")
    await ana.send("Pistache azul")  # not taken as a duration, nor as details
    assert (await ana.receives()).text == "👍"
    await luz.receives(containing="palabra clave")


async def test_codeword_can_be_changed_and_removed(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await ana.send("/codeword pistache azul")
    await ana.receives(containing=said("codeword.choose_reply"))
    await ana.send("/codeword")
    is_set = await ana.receives(containing="Ya tienes una palabra clave")
    await ana.press(is_set, "Cambiar la frase")
    await ana.receives(containing="Escribe tu nueva palabra clave")
    await ana.send("pistache azul")  # the old phrase, while choosing a new one: no alarm
    await ana.receives(containing="Palabra clave guardada")
    await world.settle()
    await luz.receives_nothing()
    await ana.send("/codeword")
    await ana.press(await ana.receives(containing="Ya tienes"), "Borrar la palabra clave")
    await ana.receives(containing="Palabra clave borrada")
    await ana.send("pistache azul")  # no code word any more: the usual hint
    await ana.receives(containing=said("hint.free_text"))
    await world.settle()
    await luz.receives_nothing()
