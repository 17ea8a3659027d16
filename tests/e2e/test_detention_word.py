"""Detention by a second code word (/clave detenida <frase>), and in discreet mode by a button
that names nothing: her contacts read the detention alarm with what her network's `legal:`
section says; her chat answers as it answers her code word, or any text (the transcript
test is in tests/e2e/test_silent_transcripts.py)."""

from __future__ import annotations

from bot.core.records import Alarm
from bot.emulator import EmulatedUser
from bot.i18n import t, wording
from tests.e2e.conftest import World
from tests.e2e.peers import add_member, coordinator
from tests.e2e.test_detention import (
    LEGAL_CONTACT,
    RIGHTS_ES,
    WITH_LEGAL,
    be_legal_support,
    without_police,
)
from tests.e2e.test_drills import BANNER, start_drill
from tests.support.catalog import said
from tests.telegram.test_discreet_words import BANNED_WORD

CODEWORD = "pistache azul marino"
DETENTION = "luna de papel morado"
DETAILS = "Hotel Prueba hab 9, Nissan gris TEST-0000"


async def with_words(ana: EmulatedUser, reply: str = "«Ok, gracias»") -> None:
    """Her code word (and the reply she chose), then her detention word in one message."""
    await ana.send(f"/clave {CODEWORD}")
    await ana.receives(containing=said("codeword.saved_deleted"))
    await ana.press(await ana.receives(containing=said("codeword.choose_reply")), reply)
    await ana.receives(containing=said("codeword.reply_saved"))
    command = await ana.send(f"/clave detenida {DETENTION}")
    await ana.receives(containing=said("codeword.detained.saved_deleted"))
    assert ana.is_deleted(command)


async def test_the_detention_word_raises_the_detention_alarm_and_answers_as_the_code_word(
    world: World,
) -> None:
    rosa, ana, luz = await world.members("rosa", "ana", "luz")
    await coordinator(world, rosa, "Red Prueba", WITH_LEGAL)
    await add_member(rosa, ana)
    await be_legal_support(rosa)
    await world.link(ana, luz)
    await with_words(ana)
    await ana.send(f"/cita 1h {DETAILS}")
    await ana.receives(containing=said("checkin.details_saved_deleted"))

    await ana.send("  Luna de PAPEL, morado ")  # case, accents and punctuation do not count
    answer = await ana.receives()
    assert answer.text == "Ok, gracias" and not answer.buttons()  # as her code word's
    alert = (await luz.receives(containing="DETENCIÓN")).text or ""
    assert alert.split("\n", 1)[0] == said("alert.silent_detained.title", alias="Ana")
    assert DETAILS in alert and LEGAL_CONTACT in alert and RIGHTS_ES in alert
    assert without_police(alert)
    notice = (await rosa.receives(containing="DETENCIÓN")).text or ""
    assert DETAILS not in notice  # legal support: her alias only
    await world.settle()
    await ana.receives_nothing()  # nothing else in her chat
    await ana.send("/bien")  # her check-in goes on for her, as after her code word
    await ana.receives(containing=said("checkin.safe"))

    await ana.send("oye, luna de papel morado, ¿no?")  # contains it: not an alarm
    assert (await ana.receives()).text == "Ok, gracias"
    await world.settle()
    await luz.receives_nothing()


async def test_a_detention_word_must_be_uncommon_words_and_not_her_code_word(
    world: World,
) -> None:
    (ana,) = await world.members("ana")
    await ana.send(f"/clave detenida {DETENTION}")  # before any code word
    await ana.receives(containing=said("codeword.detained.error.first"))
    await with_words(ana)
    for phrase, refusal in (
        ("hola amor ya voy", "codeword.error.common"),
        (CODEWORD.upper(), "codeword.error.same"),
        ("4829 1300", "codeword.error.digits"),  # a PIN is digits: never a phrase
        ("ab", "codeword.error.short"),
    ):
        typed = await ana.send(f"/clave detenida {phrase}")
        await ana.receives(containing=said(refusal).split("{")[0])
        assert ana.is_deleted(typed)
    await ana.send(f"/clave {DETENTION}")  # nor can her code word become it
    await ana.receives(containing=said("codeword.error.same"))
    await world.settle()
    await ana.receives_nothing()


async def test_the_guided_way_changes_and_removes_it_and_the_code_word_takes_it_along(
    world: World,
) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await with_words(ana, reply="Nada (no contestar)")
    await ana.send("/clave")
    menu = await ana.receives(containing=said("codeword.is_set"))
    await ana.press(menu, t("es", "button.detention_word_change"))
    await ana.receives(containing=said("codeword.detained.ask"))
    await ana.send(DETENTION)  # the old one, while choosing: no alarm; taken as the new one
    await ana.receives(containing=said("codeword.detained.saved_deleted"))
    await world.settle()
    await luz.receives_nothing()
    await ana.send(DETENTION)
    await luz.receives(containing="DETENCIÓN")
    await world.settle()
    await ana.receives_nothing()  # silence, the reply she chose for her code word

    await ana.send("/clave")
    menu = await ana.receives(containing=said("codeword.is_set"))
    await ana.press(menu, t("es", "button.codeword_remove"))
    await ana.receives(containing=said("codeword.removed_both"))
    await ana.send(DETENTION)  # no words any more: the usual hint, no alarm
    await ana.receives(containing=said("hint.free_text"))
    await world.settle()
    assert len([m for m in luz.inbox() if "DETENCIÓN" in (m.text or "")]) == 1


async def test_in_discreet_mode_a_button_that_names_nothing_turns_an_sos_into_detention(
    world: World,
) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await ana.send("/discreto")
    await ana.press(await ana.receives(containing="palabras claras"), "Usar palabras discretas")
    await ana.receives(containing="desde ahora uso palabras discretas")
    await ana.send("/cita 1h")
    started = await ana.receives(containing=said("checkin.started.discreet"))
    await ana.press(started, t("es", "button.sos.discreet"))
    done = await ana.receives(containing=said("sos.sent"))
    papers = t("es", wording("es", "button.detained", True))
    assert papers == "📄 Papeles" and done.buttons()[-1] == papers
    assert not [label for label in done.buttons() if BANNED_WORD.search(label)]
    await luz.receives(containing="EMERGENCIA")

    await ana.press(done, papers)
    again = await ana.receives()
    assert (again.text, again.buttons()) == (done.text, done.buttons())  # nothing new
    alert = (await luz.receives(containing="DETENCIÓN")).text or ""
    assert alert.startswith(said("alert.detained.title", alias="Ana"))
    assert without_police(alert)
    await world.settle()
    await ana.receives_nothing()


async def test_during_a_code_word_drill_the_detention_word_is_a_real_alarm(world: World) -> None:
    """Drills do not rehearse detention: her detention word during one ends it and goes out
    real, unmarked, as any other alarm during a drill does."""
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await with_words(ana)
    await start_drill(ana, Alarm.CODEWORD, private=False)
    await ana.send(DETENTION)
    assert (await ana.receives()).text == "Ok, gracias"
    alert = (await luz.receives(containing="DETENCIÓN")).text or ""
    assert BANNER not in alert and alert.startswith(
        said("alert.silent_detained.title", alias="Ana")
    )
    await world.advance(minutes=2)
    assert not [m for m in luz.inbox() if BANNER in (m.text or "")]
