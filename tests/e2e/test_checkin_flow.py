"""Steps 3 to 7: the timer, its reminders, the alert, the acknowledgement, safe and extend."""

from __future__ import annotations

from bot.core import checkins
from bot.emulator import EmulatedUser
from tests.e2e.conftest import GRACE, World, short_checkin
from tests.support.catalog import said
from tests.support.units import committed

DETAILS = "Hotel Prueba hab 12, Nissan gris TEST-000"


async def miss_checkin(world: World, worker: EmulatedUser, details: str = "") -> None:
    """She starts a one-minute check-in and lets it run past deadline + grace."""
    await short_checkin(worker, details)
    await worker.receives(containing=said("checkin.started"))
    await world.advance(minutes=1, seconds=GRACE + 1)


async def test_one_message_checkin_saves_details_and_deletes_her_message(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    sent = await ana.send(f"/checkin 45m {DETAILS}")
    confirmed = await ana.receives(containing=said("checkin.started"))
    assert "12:45" in confirmed.text  # 18:00 UTC + 45 min, shown in Mexico City time
    assert "45 min" in confirmed.text
    assert confirmed.has_button("✅ Estoy bien")
    await ana.receives(containing=said("checkin.details_saved_deleted"))
    assert world.emulator.is_deleted(ana.chat_id, sent["message_id"])


async def test_buttons_flow_then_details_then_a_pin(world: World) -> None:
    (ana,) = await world.members("ana")
    await ana.send("/checkin")
    choose = await ana.receives(containing="Cuánto tiempo")
    assert choose.buttons()[:4] == ["30 min", "1 h", "2 h", "3 h"]
    await ana.press(choose, "1 h")
    await ana.receives(containing="13:00")
    await ana.receives(containing="no tienes contactos")
    await ana.receives(containing=said("checkin.ask_details"))
    details = await ana.send(DETAILS)
    await ana.receives(containing="Detalles guardados")
    assert world.emulator.is_deleted(ana.chat_id, details["message_id"])
    await ana.send_location(19.4326, -99.1332)
    await ana.receives(containing=said("checkin.location_saved"))
    member = await world.member(ana)
    running = await committed(world.bot.core, checkins.open_checkin, member)
    assert running is not None
    assert running.details == DETAILS
    assert running.location is not None and running.location.latitude == 19.4326


async def test_other_duration_is_typed(world: World) -> None:
    (ana,) = await world.members("ana")
    await ana.send("/checkin")
    choose = await ana.receives(containing="Cuánto tiempo")
    await ana.press(choose, "Otro")
    await ana.receives(containing="Escribe cuánto tiempo")
    await ana.send("abc")
    await ana.receives(containing="No entendí el tiempo")
    await ana.send("1h30")
    await ana.receives(containing="13:30")


async def test_reminder_before_the_deadline_then_last_call(world: World) -> None:
    (ana,) = await world.members("ana")
    await ana.send("/checkin 1h")
    await ana.receives(containing=said("checkin.started"))
    await ana.receives(containing=said("checkin.ask_details"))  # not a reminder
    await world.advance(minutes=49)
    await ana.receives_nothing()
    await world.advance(minutes=1)
    reminder = await ana.receives(containing="Tu tiempo termina a las 13:00")
    assert reminder.buttons() == ["✅ Estoy bien", "+15 min", "+30 min", "+1 h", "🆘 SOS"]
    await world.advance(minutes=10)
    await ana.receives(containing=said("checkin.last_call"))


async def test_short_timer_reminds_half_way(world: World) -> None:
    (ana,) = await world.members("ana")
    await ana.send("/checkin 10m")
    await ana.receives(containing=said("checkin.started"))
    await world.advance(minutes=5)
    await ana.receives(containing="Tu tiempo termina")


async def test_missed_checkin_alerts_every_contact_with_details_and_pin(world: World) -> None:
    ana, luz, eva = await world.members("ana", "luz", "eva")
    await world.link(ana, luz, eva)
    await short_checkin(ana, DETAILS)
    await ana.send_location(19.4326, -99.1332)
    await ana.receives(containing=said("checkin.location_saved"))
    await world.advance(minutes=1, seconds=GRACE + 1)
    for contact in (luz, eva):
        alert = await contact.receives(containing=said("alert.missed.title", alias="Ana"))
        assert DETAILS in alert.text
        assert "12:01" in alert.text and "12:00" in alert.text
        assert alert.protect_content
        assert alert.has_button("🙋 Me encargo")
        pin = await contact.receives()
        assert pin.location == (19.4326, -99.1332)
    await ana.receives(containing=said("checkin.alert_sent", count=2))


async def test_first_to_acknowledge_is_named_and_repeats_stop(world: World) -> None:
    ana, luz, eva = await world.members("ana", "luz", "eva")
    await world.link(ana, luz, eva)
    await miss_checkin(world, ana, DETAILS)
    alert = await luz.receives(containing="ALERTA")
    await eva.receives(containing="ALERTA")
    await luz.press(alert, "🙋 Me encargo")
    await luz.receives(containing=said("alert.ack.thanks"))
    await eva.receives(containing="Luz se está encargando de la alerta de Ana")
    eva_alert = next(m for m in eva.inbox() if "ALERTA" in (m.text or ""))
    await eva.press(eva_alert, "🙋 Me encargo")
    await eva.receives(containing="Luz ya se está encargando")
    await world.advance(minutes=11)
    await luz.receives_nothing()
    await eva.receives_nothing()


async def test_unanswered_alert_is_repeated_three_times(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await miss_checkin(world, ana)
    await luz.receives(containing="ALERTA")
    for n in (1, 2, 3):
        await world.advance(minutes=10)
        repeat = await luz.receives(containing="ALERTA")
        assert f"aviso repetido {n}" in repeat.text
    await world.advance(minutes=10)
    await luz.receives_nothing()


async def test_safe_before_the_alert_tells_nobody_and_erases_details(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await short_checkin(ana, DETAILS)
    await ana.receives(containing=said("checkin.started"))
    member = await world.member(ana)
    running = await committed(world.bot.core, checkins.open_checkin, member)
    assert running is not None
    await ana.send("/safe")
    await ana.receives(containing=said("checkin.safe"))
    async with world.bot.core.db.unit_of_work() as uow:
        ended = await uow.checkins.get(running.id)
    assert ended is not None and ended.details is None and ended.status == "safe"
    await world.advance(minutes=1, seconds=GRACE + 60)
    await luz.receives_nothing()


async def test_safe_after_the_alert_tells_contacts(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await miss_checkin(world, ana)
    await luz.receives(containing="ALERTA")
    told = await ana.receives(containing=said("checkin.alert_sent", count=1))
    await ana.press(told, "✅ Estoy bien")
    await ana.receives(containing=said("checkin.safe_after_alert"))
    await luz.receives(containing=said("alert.resolved", alias="Ana"))
    await world.advance(minutes=10)
    await luz.receives_nothing()


async def test_extend_by_command_and_by_button(world: World) -> None:
    (ana,) = await world.members("ana")
    await ana.send("/checkin 30m")
    await ana.receives(containing="12:30")
    await ana.send("/extend 30m")
    extended = await ana.receives(containing="ahora tienes hasta las 13:00")
    await ana.press(extended, "+15 min")
    await ana.receives(containing="ahora tienes hasta las 13:15")
    await world.advance(minutes=65)
    await ana.receives(containing="Tu tiempo termina a las 13:15")


async def test_extend_after_the_alert_tells_contacts_she_answered(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await miss_checkin(world, ana)
    await luz.receives(containing="ALERTA")
    await ana.send("/extend 1h")
    await ana.receives(containing="Les dije a tus contactos que respondiste")
    await luz.receives(containing="Ana respondió y pidió más tiempo")


async def test_blocked_contact_is_skipped_and_the_worker_is_told_once(world: World) -> None:
    ana, luz, eva = await world.members("ana", "luz", "eva")
    await world.link(ana, luz, eva)
    world.emulator.block(eva)
    await miss_checkin(world, ana)
    await luz.receives(containing="ALERTA")
    await ana.receives(containing="No puedo escribirle a Eva")
    await world.advance(minutes=10)
    await luz.receives(containing="aviso repetido 1")
    await world.advance(minutes=10)
    await luz.receives(containing="aviso repetido 2")
    notices = [m for m in ana.inbox() if "No puedo escribirle" in (m.text or "")]
    assert len(notices) == 1


async def test_stale_buttons_from_an_ended_checkin(world: World) -> None:
    (ana,) = await world.members("ana")
    await ana.send("/checkin 30m")
    started = await ana.receives(containing=said("checkin.started"))
    await ana.send("/safe")
    await ana.receives(containing=said("checkin.safe"))
    await ana.press(started, "+15 min")
    await ana.receives(containing="Ese check-in ya terminó")
    await ana.press(started, "✅ Estoy bien")
    await ana.receives(containing="Ese check-in ya terminó")


async def test_a_second_checkin_while_one_runs_is_refused_with_buttons(world: World) -> None:
    (ana,) = await world.members("ana")
    await ana.send("/checkin 30m")
    await ana.receives(containing=said("checkin.started"))
    await ana.send("/checkin 2h")
    running = await ana.receives(containing="Ya tienes un check-in hasta las 12:30")
    assert running.has_button("✅ Estoy bien")


async def test_details_expire_a_day_after_the_alert(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await short_checkin(ana, DETAILS)
    await ana.receives(containing=said("checkin.started"))
    member = await world.member(ana)
    running = await committed(world.bot.core, checkins.open_checkin, member)
    assert running is not None
    await world.advance(minutes=1, seconds=GRACE + 1)
    await luz.receives(containing="ALERTA")
    await world.advance(hours=24, seconds=1)
    async with world.bot.core.db.unit_of_work() as uow:
        expired = await uow.checkins.get(running.id)
    assert expired is not None and expired.details is None and expired.status == "expired"
