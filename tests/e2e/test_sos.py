"""/sos and its button: every contact at once, marked as an emergency; a short, neutral line
in her chat; "All good" stands them down; contacts read the kind of alarm in their language."""

from __future__ import annotations

from bot.core import checkins
from bot.emulator import EmulatedUser
from tests.e2e.conftest import GRACE, World, set_pins, short_checkin
from tests.support.catalog import said
from tests.support.units import committed

DETAILS = "Motel Prueba hab 7, Chevy rojo TEST-4321"


def first_line(text: str | None) -> str:
    return (text or "").split("\n", 1)[0]


async def test_sos_with_a_running_checkin_sends_details_and_location_to_everyone(
    world: World,
) -> None:
    ana, luz, eva = await world.members("ana", "luz", "eva")
    await world.link(ana, luz, eva)
    await ana.send(f"/checkin 1h {DETAILS}")
    await ana.receives(containing=said("checkin.details_saved_deleted"))
    await ana.send_location(19.4326, -99.1332)
    await ana.receives(containing=said("checkin.location_saved"))
    await ana.send("/sos")
    done = await ana.receives()
    assert done.text == "Listo ✓" and done.buttons() == ["Todo bien", "🚨 Me detuvo la policía"]
    for contact in (luz, eva):
        alert = await contact.receives(containing="EMERGENCIA")
        assert first_line(alert.text) == "🆘 EMERGENCIA: Ana pidió ayuda (SOS)."
        assert DETAILS in (alert.text or "")
        assert "Hora del aviso: 12:00" in (alert.text or "")
        assert "debía confirmar" not in (alert.text or "")
        assert alert.protect_content and alert.has_button("🙋 Me encargo")
        assert (await contact.receives()).location == (19.4326, -99.1332)
    await world.settle()
    await ana.receives_nothing()  # nothing else in her chat shows the alarm

    await ana.press(done, "Todo bien")
    await ana.receives(containing="Les dije a tus contactos que estás bien")
    for contact in (luz, eva):
        await contact.receives(containing=said("alert.resolved", alias="Ana"))
    running = await committed(world.bot.core, checkins.open_checkin, await world.member(ana))
    assert running is not None and running.status == "active" and running.details == DETAILS
    await world.advance(minutes=50)  # her timer goes on: the reminder still comes
    await ana.receives(containing="Tu tiempo termina a las 13:00")


async def test_sos_without_a_checkin_alerts_without_details_and_ends_on_all_good(
    world: World,
) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await ana.send("/sos")
    done = await ana.receives(containing="Listo")
    alert = await luz.receives(containing="EMERGENCIA")
    assert "No dejó detalles" in (alert.text or "")
    assert "Tenía un check-in" not in (alert.text or "")
    await world.settle()
    await luz.receives_nothing()  # no pin: she had shared none
    await ana.press(done, "Todo bien")
    await luz.receives(containing=said("alert.resolved", alias="Ana"))
    await ana.send("/checkin 30m")
    await ana.receives(containing="tienes hasta las 12:30")


async def test_the_sos_button_on_a_checkin_message(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await ana.send("/checkin 30m")
    started = await ana.receives(containing=said("checkin.started"))
    assert started.buttons()[-1] == "🆘 SOS"
    await ana.receives(containing=said("checkin.ask_details"))
    await ana.press(started, "🆘 SOS")
    assert (await ana.receives()).text == "Listo ✓"
    alert = await luz.receives(containing="EMERGENCIA")
    assert "Tenía un check-in: empezó 12:00 · tenía que confirmar 12:30" in (alert.text or "")


async def test_unanswered_sos_is_repeated_and_an_acknowledgement_stops_it(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await ana.send("/sos")
    await ana.receives(containing="Listo")
    await luz.receives(containing="EMERGENCIA")
    await world.advance(minutes=10)
    repeat = await luz.receives(containing="EMERGENCIA")
    assert "(aviso repetido 1)" in (repeat.text or "")
    await luz.press(repeat, "🙋 Me encargo")
    await luz.receives(containing=said("alert.ack.thanks"))
    await world.advance(minutes=11)
    await luz.receives_nothing()
    await ana.receives_nothing()


async def test_sos_with_nobody_to_alert_tells_her_so(world: World) -> None:
    (ana,) = await world.members("ana")
    await ana.send("/sos")
    await ana.receives(containing="No tienes contactos que puedan recibir tu aviso")


async def test_contacts_read_which_alarm_it_is_in_their_own_language(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    (kim,) = await world.members("kim", language="en")
    await world.link(ana, luz, kim)
    seen: dict[str, list[str]] = {"luz": [], "kim": []}

    async def collect(marker_es: str, marker_en: str) -> None:
        for contact, marker in ((luz, marker_es), (kim, marker_en)):
            alert = await contact.receives(containing=marker)
            seen[contact.name].append(first_line(alert.text))

    async def resolved(*contacts: EmulatedUser) -> None:
        for contact in contacts:
            await contact.receives(containing="✅")

    await short_checkin(ana)  # 1. a missed check-in
    await ana.receives(containing=said("checkin.started"))
    await world.advance(minutes=1, seconds=GRACE + 1)
    await collect("ALERTA", "ALERT")
    await ana.send("/safe")
    await resolved(luz, kim)
    await ana.send("/sos")  # 2. an SOS
    await collect("EMERGENCIA", "EMERGENCY")
    await ana.press(await ana.receives(containing="Listo ✓"), "Todo bien")
    await resolved(luz, kim)
    await ana.send("/codeword pistache violeta")  # 3. her code word
    await ana.receives(containing="Palabra clave guardada")
    await ana.send("Pistache violeta")
    await collect("palabra clave", "code word")  # (it goes on, hidden from her chat)
    await set_pins(ana, "4821", "7350")  # 4. her duress PIN
    await ana.send("/checkin 1h")
    await ana.press(await ana.receives(containing=said("checkin.started")), "✅ Estoy bien")
    await ana.receives(containing=said("pin.ask"))
    await ana.send("7350")
    await collect("PELIGRO", "DANGER")

    assert seen["luz"] == [
        "🚨 ALERTA: Ana no confirmó que está bien.",
        "🆘 EMERGENCIA: Ana pidió ayuda (SOS).",
        "🆘 EMERGENCIA: Ana mandó su palabra clave: necesita ayuda y no puede decirlo.",
        "⚠️ PELIGRO: Ana usó su PIN de emergencia: alguien la obligó a decir que está bien.",
    ]
    assert seen["kim"] == [
        "🚨 ALERT: Ana has not checked in.",
        "🆘 EMERGENCY: Ana asked for help (SOS).",
        "🆘 EMERGENCY: Ana sent her code word: she needs help and can't say so.",
        "⚠️ DANGER: Ana used her duress PIN: someone forced her to say she is safe.",
    ]
