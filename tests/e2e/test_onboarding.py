"""Step 1: opening the bot, the alias, the language, the privacy text."""

from __future__ import annotations

from tests.e2e.conftest import World
from tests.support.catalog import said


async def test_start_greets_in_spanish_and_asks_for_an_alias(world: World) -> None:
    ana = world.emulator.user("ana", language_code="es")
    await ana.send("/start")
    welcome = await ana.receives(containing="Compañera")
    assert "/privacidad" in welcome.text and "/privacy" not in welcome.text
    await ana.receives(containing="alias")
    await ana.send("Ana Prueba")
    ask = await ana.receives(containing=said("start.ask_address", alias="Ana Prueba"))
    assert ask.buttons() == ["Ella", "Él", "Neutral (elle)"]
    await ana.press(ask, "Ella")
    await ana.receives(containing=said("address.saved"))
    ready = await ana.receives(containing=said("start.ready"))
    assert "/invitar" in ready.text and "/trato" in ready.text
    assert "/invite" not in ready.text
    assert (await world.member(ana)).address == "she"


async def test_the_form_of_address_is_chosen_with_one_tap_and_changed_with_trato(
    world: World,
) -> None:
    (leo,) = await world.members("leo", address="he")
    assert (await world.member(leo)).address == "he"
    await leo.send("/trato")
    choose = await leo.receives(containing=said("address.choose"))
    assert choose.has_button("✓ Él")
    await leo.press(choose, "Neutral (elle)")
    await leo.receives(containing=said("address.saved.neutral"))
    assert (await world.member(leo)).address == "neutral"
    await leo.send("/address")
    choose = await leo.receives(containing=said("address.choose"))
    assert choose.has_button("✓ Neutral (elle)")


async def test_a_member_who_skips_the_form_of_address_is_spoken_to_neutrally(
    world: World,
) -> None:
    ana = world.emulator.user("ana")
    await ana.send("/start")
    await ana.receives(containing="alias")
    await ana.send("Ana")
    await ana.receives(containing=said("start.ask_address", alias="Ana"))
    await ana.send("/trato")
    choose = await ana.receives(containing=said("address.choose"))
    assert choose.has_button("✓ Neutral (elle)")


async def test_english_telegram_gets_english_and_language_switches(world: World) -> None:
    kim = world.emulator.user("kim", language_code="en-GB")
    await kim.send("/start")
    await kim.receives(containing="Hi, I'm Compañera")
    await kim.send("/language")
    choose = await kim.receives(containing="language")
    await kim.press(choose, "Español")
    await kim.receives(containing="te hablaré en español")
    await kim.send("/help")
    await kim.receives(containing=said("help.text"))


async def test_privacy_says_what_is_kept_and_that_telegram_keeps_chats(world: World) -> None:
    (ana,) = await world.members("ana")
    await ana.send("/privacy")
    short = await ana.receives(containing=said("privacy.text"))
    await ana.press(short, "Más detalles")
    text = (await ana.receives(containing="Qué guardo")).text
    assert "24 horas" in text
    assert "Telegram guarda los chats" in text


async def test_returning_member_is_greeted_by_alias(world: World) -> None:
    (ana,) = await world.members("ana")
    await ana.send("/start")
    await ana.receives(containing="Hola de nuevo, Ana")


async def test_alias_too_long_is_refused_kindly_and_can_be_retried(world: World) -> None:
    ana = world.emulator.user("ana")
    await ana.send("/start")
    await ana.receives(containing="alias")
    await ana.send("A" * 200)
    await ana.receives(containing="muy largo")
    await ana.send("Ana")
    await ana.receives(containing="Listo, Ana")


async def test_timezone_changes_the_deadline_she_is_shown(world: World) -> None:
    (ana,) = await world.members("ana")
    await ana.send("/timezone")
    choose = await ana.receives(containing="ahora son las 12:00")
    assert choose.has_button("✓ 🇲🇽 Ciudad de México")
    await ana.press(choose, "🇵🇪 Perú")
    await ana.receives(containing="la hora de Perú, ahora son las 13:00")
    await ana.send("/checkin 45m")
    await ana.receives(containing="tienes hasta las 13:45")
