""" "Ya estoy bien" in words: with a check-in running, "ya estoy bien" (or "listo", "I'm
ok") asks one question instead of becoming a detail. "Sí" ends the check-in as /safe does
(her PIN first, if she has one); "No, es un detalle" keeps it as a detail; a longer message
with "bien" in it stays a detail; with no check-in, it is free text as before."""

from __future__ import annotations

from bot.core import checkins
from bot.core.context import Work
from bot.core.safety import DEFAULT_REPLY, normalize_phrase
from tests.e2e.conftest import World, set_pins
from tests.support.catalog import said
from tests.support.units import committed


async def set_codeword(work: Work, member_id: str, phrase: str) -> None:
    await work.safety.set_codeword(member_id, normalize_phrase(phrase), DEFAULT_REPLY)


SAFE_PIN, DURESS_PIN = "482913", "735260"


async def test_ya_estoy_bien_asks_once_and_yes_ends_the_checkin(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await ana.send("/checkin 1h Hotel Prueba hab 4")
    await ana.receives(containing=said("checkin.details_saved_deleted"))

    await ana.send("Ya estoy bien!! 🙂")
    asked = await ana.receives(containing=said("checkin.done_ask"))
    assert asked.buttons() == ["✅ Sí, estoy bien", "No, es un detalle"]
    await ana.press(asked, "✅ Sí, estoy bien")
    await ana.receives(containing=said("checkin.safe"))
    member = await world.member(ana)
    assert await committed(world.bot.core, checkins.open_checkin, member) is None
    await world.settle()
    await luz.receives_nothing()


async def test_no_es_un_detalle_keeps_it_as_a_detail(world: World) -> None:
    (ana,) = await world.members("ana")
    await ana.send("/checkin 1h")
    await ana.receives(containing=said("checkin.started"))
    typed = await ana.send("listo")
    asked = await ana.receives(containing=said("checkin.done_ask"))
    await ana.press(asked, "No, es un detalle")
    await ana.receives(containing=said("checkin.details_saved_deleted"))
    assert world.emulator.is_deleted(ana.chat_id, typed["message_id"])
    member = await world.member(ana)
    running = await committed(world.bot.core, checkins.open_checkin, member)
    assert running is not None and running.details == "listo"
    # Her next text is a detail too, as it was before the question.
    await ana.send("Hotel Sol hab 9")
    await ana.receives(containing=said("checkin.details_saved_deleted"))
    running = await committed(world.bot.core, checkins.open_checkin, member)
    assert running is not None and running.details == "listo\nHotel Sol hab 9"


async def test_a_longer_message_with_bien_stays_a_detail(world: World) -> None:
    (ana,) = await world.members("ana")
    await ana.send("/checkin 1h")
    await ana.receives(containing=said("checkin.started"))
    await ana.send("llegué bien al hotel sol")
    await ana.receives(containing=said("checkin.details_saved_deleted"))
    await world.settle()
    await ana.receives_nothing()
    member = await world.member(ana)
    running = await committed(world.bot.core, checkins.open_checkin, member)
    assert running is not None and running.details == "llegué bien al hotel sol"


async def test_typing_on_instead_of_tapping_reads_it_as_before(world: World) -> None:
    (ana,) = await world.members("ana")
    await ana.send("/checkin 1h")
    await ana.receives(containing=said("checkin.started"))
    await ana.send("yaaa")
    await ana.receives(containing=said("checkin.done_ask"))
    await ana.send("Hotel Luna hab 2")  # she never tapped: a detail, as before
    await ana.receives(containing=said("checkin.details_saved_deleted"))
    member = await world.member(ana)
    running = await committed(world.bot.core, checkins.open_checkin, member)
    assert running is not None and running.details == "Hotel Luna hab 2"


async def test_with_a_pin_yes_asks_for_it_and_the_duress_pin_looks_the_same(
    world: World,
) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await set_pins(ana, SAFE_PIN, DURESS_PIN)
    replies = []
    for pin in (SAFE_PIN, DURESS_PIN):
        await ana.send("/checkin 1h")
        await ana.receives(containing=said("checkin.started"))
        await ana.send("todo bien")
        asked = await ana.receives(containing=said("checkin.done_ask"))
        await ana.press(asked, "✅ Sí, estoy bien")
        await ana.receives(containing=said("pin.ask"))
        await ana.send(pin)
        replies.append((await ana.receives()).text)
    assert replies[0] == replies[1]
    assert said("checkin.safe") in (replies[0] or "")
    await luz.receives(containing=said("alert.duress.title", alias="Ana"))


async def test_english_and_no_checkin(world: World) -> None:
    (eva,) = await world.members("eva", language="en")
    await eva.send("I'm ok")  # no check-in: free text, as before
    await eva.receives(containing=said("hint.free_text", "en"))
    await eva.send("/checkin 30m")
    await eva.receives(containing=said("checkin.started", "en"))
    await eva.send("im fine")
    asked = await eva.receives(containing=said("checkin.done_ask", "en"))
    await eva.press(asked, "✅ Yes, I'm safe")
    await eva.receives(containing=said("checkin.safe", "en"))


async def test_discreet_question_gives_nothing_away(world: World) -> None:
    (ana,) = await world.members("ana")
    await ana.send("/discreet")
    await ana.press(await ana.receives(containing="palabras claras"), "Usar palabras discretas")
    await ana.receives(containing="desde ahora uso palabras discretas")
    await ana.send("/cita 1h")
    await ana.receives(containing=said("checkin.started.discreet"))
    await ana.send("ya")
    asked = await ana.receives(containing=said("checkin.done_ask.discreet"))
    assert asked.buttons() == ["✓ Sí, listo", "No, es una nota"]
    await ana.press(asked, "✓ Sí, listo")
    await ana.receives(containing=said("checkin.safe.discreet"))


async def test_the_code_word_still_wins(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    member = await world.member(ana)
    # Stored as a code word set before everyday words were refused: "estoy bien" words.
    await committed(world.bot.core, set_codeword, member.id, "ya todo bien listo")
    await ana.send("/checkin 1h")
    await ana.receives(containing=said("checkin.started"))
    await ana.send("Ya, todo bien, listo")
    await luz.receives(containing=said("alert.codeword.title", alias="Ana"))
    await world.settle()
    assert not [m for m in ana.inbox() if said("checkin.done_ask") in (m.text or "")]
