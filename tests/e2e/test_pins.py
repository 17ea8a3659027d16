"""/pin: a safety PIN guards "I'm safe"; the duress PIN looks exactly the same in her chat
and alerts her contacts, and so do three wrong PINs; a forgotten PIN can be
reset only while no check-in runs."""

from __future__ import annotations

from bot.core import checkins
from bot.emulator import EmulatedUser, SentMessage
from bot.i18n import t
from tests.e2e.conftest import GRACE, World, short_checkin
from tests.e2e.conftest import set_pins as set_user_pins
from tests.support.catalog import said
from tests.support.units import committed

SAFE_PIN, DURESS_PIN = "482913", "735260"
DETAILS = "Hotel Prueba Azul hab 3, Tsuru blanco TEST-1122"


async def set_pins(user: EmulatedUser) -> None:
    await set_user_pins(user, SAFE_PIN, DURESS_PIN)


async def check_in_with_pin(user: EmulatedUser, pin: str) -> tuple[SentMessage, dict]:
    """She presses "I'm safe" on her running check-in and types `pin`; the bot's answer."""
    await user.press(None, "✅ Estoy bien")
    await user.receives(containing=said("pin.ask"))
    typed = await user.send(pin)
    return await user.receives(), typed


async def test_setting_pins_deletes_them_and_refuses_bad_ones(world: World) -> None:
    (ana,) = await world.members("ana")
    await ana.send("/pin")
    await ana.receives(containing="nadie puede decir «estoy bien» por ti")
    await ana.receives(containing="Escribe tu PIN de seguridad")
    typed = [await ana.send("12")]
    await ana.receives(containing=said("pin.error.format"))
    typed.append(await ana.send("12ab"))
    await ana.receives(containing=said("pin.error.format"))
    typed.append(await ana.send(SAFE_PIN))
    await ana.receives(containing="PIN de emergencia")
    typed.append(await ana.send(SAFE_PIN))
    await ana.receives(containing="Tiene que ser distinto")
    typed.append(await ana.send(DURESS_PIN))
    await ana.receives(containing="PIN guardados")
    assert all(ana.is_deleted(message) for message in typed)
    await ana.send("/pin")
    is_set = await ana.receives(containing=said("pin.is_set"))
    assert is_set.buttons() == ["Cambiar los PIN", "Borrar los PIN"]


async def test_duress_pin_answers_byte_for_byte_like_the_safety_pin(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await set_pins(ana)

    await ana.send(f"/checkin 1h {DETAILS}")
    await ana.receives(containing=said("checkin.details_saved_deleted"))
    safe_reply, safe_typed = await check_in_with_pin(ana, SAFE_PIN)
    await ana.send("/safe")
    safe_after = await ana.receives()
    await world.settle()
    await luz.receives_nothing()

    await ana.send(f"/checkin 1h {DETAILS}")
    await ana.receives(containing=said("checkin.details_saved_deleted"))
    await ana.send_location(19.4326, -99.1332)
    await ana.receives(containing=said("checkin.location_saved"))
    duress_reply, duress_typed = await check_in_with_pin(ana, DURESS_PIN)
    await ana.send("/safe")
    duress_after = await ana.receives()

    for safe, duress in ((safe_reply, duress_reply), (safe_after, duress_after)):
        assert safe.text == duress.text
        assert safe.reply_markup == duress.reply_markup
        assert safe.protect_content == duress.protect_content
        assert safe.location == duress.location
    assert safe_reply.text == "Qué bueno. Temporizador detenido y detalles borrados."
    assert ana.is_deleted(safe_typed) and ana.is_deleted(duress_typed)
    await world.settle()
    await ana.receives_nothing()

    alert = await luz.receives(containing="PELIGRO")
    assert DETAILS in (alert.text or "") and alert.protect_content
    assert "no le escribas" in (alert.text or "")
    assert (await luz.receives()).location == (19.4326, -99.1332)
    # A live location she shares now still reaches her contacts, and her chat shows no
    # running check-in, just as after a real safe check-in.
    await ana.send_location(19.50, -99.20, live_period=900)
    await ana.receives(containing="empieza antes un check-in")
    await luz.press(alert, "📍 Última ubicación")
    await luz.receives(containing="Última ubicación de Ana")
    assert (await luz.receives()).location == (19.50, -99.20)
    # To anyone holding her phone, she is free to start another check-in.
    await ana.send("/checkin 30m")
    await ana.receives(containing=said("checkin.started"))


async def test_three_wrong_pins_look_accepted_and_alert_her_contacts(world: World) -> None:
    """Whoever types three wrong PINs may be guessing hers: her chat answers as the safety
    PIN would (docs/threat-model.md), and her contacts get an alert that says why."""
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await set_pins(ana)
    await ana.send(f"/checkin 1h {DETAILS}")
    await ana.receives(containing=said("checkin.details_saved_deleted"))
    first, _ = await check_in_with_pin(ana, "111111")
    assert first.text == t("es", "pin.wrong", tries=2)
    await ana.send("222222")
    await ana.receives(containing=said("pin.wrong", tries=1))
    await ana.send("not a pin")
    await ana.receives(containing=said("pin.error.format"))  # not counted
    await world.settle()
    await luz.receives_nothing()
    await ana.send("333333")
    alert = await luz.receives(containing=said("alert.pin_failed.title", alias="Ana"))
    assert DETAILS in (alert.text or "")
    assert (await ana.receives()).text == t("es", "checkin.safe")
    await world.settle()
    await ana.receives_nothing()  # no "alert sent", no "wrong PIN three times"
    assert await committed(world.bot.core, checkins.open_checkin, await world.member(ana)) is None
    await ana.send("/checkin 30m")  # to anyone holding her phone, that check-in ended
    await ana.receives(containing=said("checkin.started"))


async def test_a_forgotten_pin_can_be_reset_only_when_no_checkin_runs(world: World) -> None:
    (ana,) = await world.members("ana")
    await set_pins(ana)
    await ana.send("/checkin 1h")
    await ana.receives(containing=said("checkin.started"))
    await ana.send("/pin")
    await ana.press(await ana.receives(containing=said("pin.is_set")), "Borrar los PIN")
    await ana.receives(containing="No puedes cambiar ni borrar tus PIN mientras")
    await ana.press(None, "Cambiar los PIN")
    await ana.receives(containing="No puedes cambiar ni borrar tus PIN mientras")
    reply, _ = await check_in_with_pin(ana, SAFE_PIN)
    assert reply.text == "Qué bueno. Temporizador detenido y detalles borrados."
    await ana.send("/pin")
    await ana.press(await ana.receives(containing=said("pin.is_set")), "Borrar los PIN")
    await ana.receives(containing="PIN borrados")
    await ana.send("/checkin 1h")
    await ana.receives(containing=said("checkin.started"))
    await ana.press(None, "✅ Estoy bien")
    await ana.receives(containing=said("checkin.safe"))  # no PIN asked any more


async def test_after_an_alert_more_time_needs_the_pin_through_im_safe(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await set_pins(ana)
    await short_checkin(ana)
    await ana.receives(containing=said("checkin.started"))
    await world.advance(minutes=1, seconds=GRACE + 1)
    await luz.receives(containing="ALERTA")
    notice = await ana.receives(containing=said("checkin.alert_sent", count=1))
    await ana.press(notice, "+15 min")
    refused = await ana.receives(containing="te pediré tu PIN")
    assert refused.buttons() == ["✅ Estoy bien"]
    await world.settle()
    await luz.receives_nothing()  # not stood down without her PIN
    await ana.press(refused, "✅ Estoy bien")
    await ana.receives(containing=said("pin.ask"))
    await ana.send(SAFE_PIN)
    await ana.receives(containing=said("checkin.safe_after_alert"))
    await luz.receives(containing=said("alert.resolved", alias="Ana"))


async def test_all_good_after_an_sos_asks_for_the_pin(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await set_pins(ana)
    await ana.send("/sos")
    done = await ana.receives(containing="Listo ✓")
    await luz.receives(containing="EMERGENCIA")
    await ana.press(done, "Todo bien")
    await ana.receives(containing=said("pin.ask"))
    await ana.send(DURESS_PIN)
    assert (await ana.receives()).text == "Listo. Les dije a tus contactos que estás bien."
    await luz.receives(containing="PELIGRO")  # forced to stand down: the alarm goes on
