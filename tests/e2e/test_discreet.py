"""Discreet mode: her chat speaks of appointments, with neutral buttons; nothing else
changes, and her contacts still read a plain alert."""

from __future__ import annotations

from bot.emulator import EmulatedUser
from bot.i18n import t, wording
from tests.e2e.conftest import GRACE, LEAD, World, set_pins
from tests.support.catalog import said
from tests.telegram.test_discreet_words import BANNED_WORD

GIVEAWAYS = ("check-in", "checkin", "alerta", "sos", "emergencia", "contactos", "peligro")


async def test_discreet_mode_keeps_telling_words_out_of_her_chat(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await ana.send("/discreet")
    await ana.press(await ana.receives(containing="palabras claras"), "Usar palabras discretas")
    await ana.receives(containing="desde ahora uso palabras discretas")
    first = len(ana.inbox())

    await ana.send("/checkin 1h Hotel Discreto Prueba")
    started = await ana.receives(containing="Anotado: tu cita termina")
    assert started.buttons()[0] == "✓ Listo" and started.buttons()[-1] == "⚡ Ahora"
    await ana.receives(containing="Nota guardada")
    await world.advance(minutes=60 - LEAD / 60, seconds=1)
    await ana.receives(containing="Tu cita termina a las")
    await world.advance(seconds=LEAD)
    await ana.receives(containing="Ya es la hora")
    await world.advance(seconds=GRACE + 1)
    alert = await luz.receives(
        containing=said("alert.missed.title", alias="Ana")
    )  # her contacts read it plainly
    assert "Hotel Discreto Prueba" in (alert.text or "")
    await ana.receives(containing="Ya avisé (1)")
    await ana.press(None, "✓ Listo")
    await ana.receives(containing="Cita cerrada")
    await luz.receives(containing="Ana")

    for message in ana.inbox()[first:]:
        words = " ".join([message.text or "", *message.buttons()]).lower()
        assert not [w for w in GIVEAWAYS if w in words], message.text

    await ana.send("/discreet")
    await ana.press(await ana.receives(containing="palabras discretas"), "Usar palabras claras")
    await ana.receives(containing="palabras claras")
    await ana.send("/checkin 30m")
    started = await ana.receives(containing=said("checkin.started"))
    assert started.buttons()[-1] == "🆘 SOS"


async def turn_discreet_on(user: EmulatedUser) -> None:
    await user.send("/discreet")
    await user.press(await user.receives(containing="palabras claras"), "Usar palabras discretas")
    await user.receives(containing="desde ahora uso palabras discretas")


async def test_sos_in_discreet_mode_answers_as_an_unknown_command(world: World) -> None:
    """Typed in front of someone, /sos looks like a command the bot does not know; her
    contacts get the alert with her details, and her check-in goes on for her."""
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await turn_discreet_on(ana)
    await ana.send("/checkin 1h Hotel Discreto Prueba")
    await ana.receives(containing=said("checkin.started.discreet"))
    await ana.receives(containing=said("checkin.details_saved_deleted.discreet"))
    await ana.send("/sos")
    alert = await luz.receives(containing=said("alert.silent_sos.title", alias="Ana"))
    assert "Hotel Discreto Prueba" in (alert.text or "")
    await ana.send("/hola")
    unknown = [(await ana.receives()).text, (await ana.receives()).text]
    assert unknown[0] == unknown[1] == t("es", wording("es", "hint.unknown_command", True))
    await ana.send("/safe")  # her check-in, not the alarm: it goes on for her contacts
    await ana.receives(containing=said("checkin.safe.discreet"))
    await world.settle()
    await ana.receives_nothing()
    assert not [m for m in luz.inbox() if "Ana" in (m.text or "") and "✅" in (m.text or "")]


async def test_sos_in_discreet_mode_with_nobody_to_alert_says_so(world: World) -> None:
    (ana,) = await world.members("ana")
    await turn_discreet_on(ana)
    await ana.send("/sos")
    told = await ana.receives()
    assert told.text == t("es", "sos.no_contacts.discreet")


async def test_after_an_alert_and_an_sos_her_discreet_chat_stays_discreet(world: World) -> None:
    """More time after an alert (refused: her PIN first), the SOS button and "Todo bien"
    after it: neutral words and neutral buttons, no banned word (issue 14)."""
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await set_pins(ana, "482913", "735260")
    await turn_discreet_on(ana)
    first = len(ana.inbox())
    await ana.send("/checkin 30m")
    await ana.receives(containing=said("checkin.started.discreet"))
    await world.advance(minutes=30, seconds=GRACE + 1)
    await luz.receives(containing=said("alert.missed.title", alias="Ana"))
    await ana.send("/extend 30m")
    refused = await ana.receives(containing=said("pin.error.extend_after_alert.discreet"))
    assert refused.buttons() == [t("es", "button.safe.discreet")]
    await ana.press(refused, t("es", "button.safe.discreet"))
    await ana.receives(containing=said("pin.ask.discreet"))
    await ana.send("482913")
    await ana.receives(containing=said("checkin.safe_after_alert.discreet"))
    await ana.send("/checkin 1h")
    started = await ana.receives(containing=said("checkin.started.discreet"))
    await ana.press(started, t("es", "button.sos.discreet"))
    sent = await ana.receives(containing=said("sos.sent"))
    await ana.press(sent, sent.buttons()[0])
    await ana.receives(containing=said("pin.ask.discreet"))
    await ana.send("482913")
    await ana.receives(containing=said("sos.stood_down.discreet"))
    await world.settle()
    for message in ana.inbox()[first:]:
        for words in (message.text or "", *message.buttons()):
            assert not BANNED_WORD.search(words), words
