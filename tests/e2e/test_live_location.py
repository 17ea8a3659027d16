"""Live location during a check-in: only the newest point is kept (sealed with the check-in's
key), it goes in any alert, a contact can ask for it again, and it goes with the details."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.core import checkins
from storage.models import CheckInRow
from tests.e2e.conftest import GRACE, World
from tests.support.catalog import said
from tests.support.units import committed


async def test_live_location_keeps_only_the_latest_point(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await ana.send("/checkin 1h")
    await ana.receives(containing=said("checkin.started"))
    await ana.receives(containing=said("checkin.ask_details"))
    live = await ana.send_location(19.40, -99.10, live_period=3600)
    await ana.receives(containing="Ubicación en tiempo real activada")
    await ana.edit_live_location(live, 19.41, -99.11)
    await world.advance(minutes=5)
    await ana.edit_live_location(live, 19.42, -99.12)
    await world.settle()
    await ana.receives_nothing()  # a moving point is saved silently

    running = await committed(world.bot.core, checkins.open_checkin, await world.member(ana))
    assert running is not None and running.location is not None
    assert (running.location.latitude, running.location.longitude) == (19.42, -99.12)
    async with world.bot.core.db.unit_of_work() as uow:
        rows = await uow.session.scalar(select(func.count()).select_from(CheckInRow))
        sealed = await uow.session.scalar(select(CheckInRow.location_sealed))
    assert rows == 1 and sealed is not None and b"19.42" not in sealed

    await world.advance(minutes=55, seconds=GRACE + 1)
    alert = await luz.receives(containing="ALERTA")
    assert "Su ubicación (de las 12:05)" in (alert.text or "")
    assert (await luz.receives()).location == (19.42, -99.12)

    await luz.press(alert, "🙋 Me encargo")
    thanks = await luz.receives(containing=said("alert.ack.thanks"))
    await ana.edit_live_location(live, 19.43, -99.13)  # she is still moving
    await world.advance(minutes=1)
    await luz.press(thanks, "📍 Última ubicación")
    latest = await luz.receives(containing="Última ubicación de Ana, de las 13:06")
    assert latest.text == "Última ubicación de Ana, de las 13:06:"
    point = await luz.receives()
    assert point.location == (19.43, -99.13) and point.protect_content

    await ana.send("/safe")
    await ana.receives(containing="Ya les dije a tus contactos")
    await ana.edit_live_location(live, 19.44, -99.14)  # after the check-in: not kept
    await luz.receives(containing="confirmó que está bien")
    await luz.press(thanks, "📍 Última ubicación")
    await luz.receives(containing="Esta alerta ya terminó")
    async with world.bot.core.db.unit_of_work() as uow:
        kept = (
            await uow.session.execute(select(CheckInRow.location_sealed, CheckInRow.key_wrapped))
        ).one()
    assert kept == (None, None)


async def test_live_location_without_a_checkin_is_not_kept(world: World) -> None:
    (ana,) = await world.members("ana")
    live = await ana.send_location(19.40, -99.10, live_period=900)
    await ana.receives(containing="check-in")
    await ana.edit_live_location(live, 19.41, -99.11)
    await world.settle()
    await ana.receives_nothing()
    async with world.bot.core.db.unit_of_work() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(CheckInRow)) == 0


async def test_a_contact_asking_before_any_pin_is_told_there_is_none(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await ana.send("/sos")
    await ana.receives(containing="Listo")
    alert = await luz.receives(containing="EMERGENCIA")
    assert not alert.has_button("📍 Última ubicación")  # no pin to show: no button
    await luz.press(alert, "🙋 Me encargo")
    thanks = await luz.receives(containing=said("alert.ack.thanks", alias="Ana"))
    await luz.press(thanks, "📍 Última ubicación")
    await luz.receives(containing="Ana no ha compartido su ubicación")
    await ana.send_location(19.45, -99.15)  # she shares one after her SOS
    await ana.receives(containing=said("checkin.location_saved"))
    await luz.press(thanks, "📍 Última ubicación")
    await luz.receives(containing="Última ubicación de Ana, de las 12:00")
    assert (await luz.receives()).location == (19.45, -99.15)
