"""Durations as she types them, against the emulator: in the /checkin command, at the
duration step, after "Cambiar" and in /extend; unusual lengths take one tap to confirm,
and the confirmation always says the length and the clock time. The clock starts at 12:00
in Mexico City."""

from __future__ import annotations

from datetime import timedelta

from bot.core import checkins
from bot.core.records import CheckIn
from bot.emulator import EmulatedUser
from tests.e2e.conftest import World
from tests.support.catalog import said
from tests.support.units import committed


async def running(world: World, user: EmulatedUser) -> CheckIn:
    member = await world.member(user)
    found = await committed(world.bot.core, checkins.open_checkin, member)
    assert found is not None
    return found


def length(checkin: CheckIn) -> timedelta:
    return checkin.deadline_at - checkin.started_at


async def test_one_hour_in_words_with_details(world: World) -> None:
    (ana,) = await world.members("ana")
    sent = await ana.send("/checkin 1 hora Hotel Sol")
    started = await ana.receives(containing=said("checkin.started"))
    assert "1 hora, tienes hasta las 13:00" in (started.text or "")
    await ana.receives(containing=said("checkin.details_saved_deleted"))
    assert world.emulator.is_deleted(ana.chat_id, sent["message_id"])
    checkin = await running(world, ana)
    assert length(checkin) == timedelta(hours=1)
    assert checkin.details == "Hotel Sol"


async def test_an_hour_and_a_half_with_details_after_a_comma(world: World) -> None:
    (ana,) = await world.members("ana")
    await ana.send("/checkin hora y media Hotel Sol, placa TEST-000")
    started = await ana.receives(containing=said("checkin.started"))
    assert "1 hora y 30 minutos, tienes hasta las 13:30" in (started.text or "")
    checkin = await running(world, ana)
    assert length(checkin) == timedelta(minutes=90)
    assert checkin.details == "Hotel Sol, placa TEST-000"


async def test_details_that_start_with_a_number_keep_it(world: World) -> None:
    (ana,) = await world.members("ana")
    await ana.send("/checkin 45m calle 5 de mayo 12")
    await ana.receives(containing="45 minutos, tienes hasta las 12:45")
    assert (await running(world, ana)).details == "calle 5 de mayo 12"


async def test_typing_at_the_duration_step_after_checkin(world: World) -> None:
    (ana,) = await world.members("ana")
    await ana.send("/checkin")
    await ana.receives(containing=said("checkin.choose"))
    await ana.send("hora y media")
    await ana.receives(containing="1 hora y 30 minutos, tienes hasta las 13:30")
    await ana.receives(containing=said("checkin.ask_details"))
    assert length(await running(world, ana)) == timedelta(minutes=90)


async def test_typing_1h_at_the_duration_step_is_not_the_free_text_hint(world: World) -> None:
    (ana,) = await world.members("ana")
    await ana.send("/checkin")
    await ana.receives(containing=said("checkin.choose"))
    await ana.send("1h")
    await ana.receives(containing="1 hora, tienes hasta las 13:00")
    await world.settle()
    assert not [m for m in ana.inbox() if said("hint.free_text") in (m.text or "")]


async def test_a_bad_duration_at_the_step_is_asked_again(world: World) -> None:
    (ana,) = await world.members("ana")
    await ana.send("/checkin")
    await ana.receives(containing=said("checkin.choose"))
    await ana.send("1h99")
    await ana.receives(containing=said("duration.error.format"))
    await ana.send("cuarenta y cinco minutos")
    await ana.receives(containing="45 minutos, tienes hasta las 12:45")


async def test_other_text_after_the_buttons_is_read_as_usual(world: World) -> None:
    (ana,) = await world.members("ana")
    await ana.send("/checkin")
    await ana.receives(containing=said("checkin.choose"))
    await ana.send("hola")
    await ana.receives(containing=said("hint.free_text"))
    await ana.send("1h")  # the question is no longer pending
    await ana.receives(containing=said("hint.free_text"))


async def test_extend_by_an_hour_in_words(world: World) -> None:
    (ana,) = await world.members("ana")
    await ana.send("/checkin 30m")
    await ana.receives(containing="30 minutos, tienes hasta las 12:30")
    await ana.send("/extend 1 hora")
    await ana.receives(containing="1 hora más, ahora tienes hasta las 13:30")
    assert length(await running(world, ana)) == timedelta(minutes=90)


async def test_five_minutes_asks_to_confirm_then_change_to_an_hour(world: World) -> None:
    (ana,) = await world.members("ana")
    sent = await ana.send("/checkin 5 Hotel Sol")
    asked = await ana.receives(containing="¿5 minutos?")
    assert asked.buttons() == ["✓ Sí", "Cambiar"]
    await world.settle()
    assert world.emulator.is_deleted(ana.chat_id, sent["message_id"])  # her details
    member = await world.member(ana)
    assert await committed(world.bot.core, checkins.open_checkin, member) is None
    await ana.press(asked, "Cambiar")
    await ana.receives(containing=said("checkin.ask_duration"))
    await ana.send("1h")
    await ana.receives(containing="1 hora, tienes hasta las 13:00")
    checkin = await running(world, ana)
    assert length(checkin) == timedelta(hours=1)
    assert checkin.details == "Hotel Sol"


async def test_five_minutes_confirmed_starts_five_minutes(world: World) -> None:
    (ana,) = await world.members("ana")
    await ana.send("/checkin 5")
    asked = await ana.receives(containing="¿5 minutos?")
    await ana.press(asked, "✓ Sí")
    await ana.receives(containing="5 minutos, tienes hasta las 12:05")
    assert length(await running(world, ana)) == timedelta(minutes=5)


async def test_one_minute_is_singular(world: World) -> None:
    (ana,) = await world.members("ana")
    await ana.send("/checkin 1")
    asked = await ana.receives(containing="¿1 minuto?")
    await ana.press(asked, "✓ Sí")
    started = await ana.receives(containing="1 minuto, tienes hasta las 12:01")
    assert "minutos" not in (started.text or "")


async def test_thirteen_hours_asks_to_confirm(world: World) -> None:
    (ana,) = await world.members("ana")
    await ana.send("/checkin 13 horas Hotel Sol")
    asked = await ana.receives(containing="¿13 horas?")
    await ana.press(asked, "✓ Sí")
    await ana.receives(containing="13 horas, tienes hasta las 1:00")
    checkin = await running(world, ana)
    assert length(checkin) == timedelta(hours=13)
    assert checkin.details == "Hotel Sol"


async def test_an_unusual_extension_asks_to_confirm(world: World) -> None:
    (ana,) = await world.members("ana")
    await ana.send("/checkin 30m")
    await ana.receives(containing=said("checkin.started"))
    await ana.send("/extend 5 min")
    asked = await ana.receives(containing="¿5 minutos?")
    await ana.press(asked, "Cambiar")
    again = await ana.receives(containing=said("extend.ask_duration"))
    assert "+15 min" in again.buttons()
    await ana.press(asked, "✓ Sí")
    await ana.receives(containing="5 minutos más, ahora tienes hasta las 12:35")
    assert length(await running(world, ana)) == timedelta(minutes=35)


async def test_in_english(world: World) -> None:
    (eva,) = await world.members("eva", language="en")
    await eva.send("/checkin an hour and a half Hotel Sol")
    await eva.receives(containing="1 hour and 30 minutes, you have until 1:30")
    assert (await running(world, eva)).details == "Hotel Sol"
    await eva.send("/extend half an hour")
    await eva.receives(containing="30 minutes more, you now have until 2:00")
