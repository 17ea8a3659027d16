"""Short texts a worker reads in a hurry: /privacy in four plain lines with the rest behind
«Más detalles», /help in ten lines at most with the network's commands only for members,
the time zones of Latin America named in Spanish, and phone examples of her network's
country."""

from __future__ import annotations

import re

from bot.emulator import EmulatedUser
from tests.e2e.conftest import World
from tests.e2e.peers import CDMX, MIXCO, add_member, coordinator
from tests.support.catalog import said

JARGON = re.compile(r"\bAES|GCM|HMAC|Argon2|\bfila\b|\bhash", re.IGNORECASE)
BANNED = ("alerta", "sos", "emergencia", "contactos", "auxilio", "pin", "check-in", "peligro")


async def discreet(user: EmulatedUser) -> None:
    await user.send("/discreto")
    await user.press(await user.receives(containing="palabras claras"), "Usar palabras discretas")
    await user.receives(containing="desde ahora uso palabras discretas")


def words(text: str | None) -> set[str]:
    return set((text or "").lower().replace("/", " ").replace(",", " ").split())


async def test_privacy_is_four_plain_lines_and_more_details_shows_the_rest(world: World) -> None:
    (ana,) = await world.members("ana")
    await ana.send("/privacidad")
    short = await ana.receives(containing=said("privacy.text"))
    text = short.text or ""
    assert len(text.splitlines()) == 4
    assert not JARGON.search(text)
    assert short.buttons() == ["Más detalles"]
    await ana.press(short, "Más detalles")
    details = await ana.receives(containing=said("privacy.details"))
    full = details.text or ""
    assert "24 horas" in full and "Telegram guarda los chats" in full
    assert not JARGON.search(full)


async def test_privacy_and_help_in_discreet_mode_name_no_alarm(world: World) -> None:
    (ana,) = await world.members("ana")
    await discreet(ana)
    await ana.send("/privacy")
    short = await ana.receives(containing=said("privacy.text.discreet"))
    await ana.press(short, "Más detalles")
    details = await ana.receives(containing=said("privacy.details.discreet"))
    await ana.send("/ayuda")
    shown = await ana.receives(containing=said("help.text.discreet"))
    for message in (short, details, shown):
        text = (message.text or "").lower()
        assert not [word for word in BANNED if re.search(rf"\b{word}\b", text)], message.text


async def test_help_shows_network_commands_only_to_members(world: World) -> None:
    ana, bea, cris = await world.members("ana", "bea", "cris")
    await coordinator(world, ana, "Colectiva Prueba", CDMX)
    await add_member(ana, bea)

    await cris.send("/ayuda")  # in no network
    outside = await cris.receives(containing=said("help.text"))
    assert len((outside.text or "").splitlines()) <= 10
    assert "/cita" in (outside.text or "") and "/checkin" not in (outside.text or "")
    assert not words(outside.text) & {"avisar", "revisar", "red", "pending"}

    await bea.send("/ayuda")
    member = await bea.receives(containing=said("help.text"))
    assert len((member.text or "").splitlines()) <= 10
    assert {"avisar", "revisar", "red"} <= words(member.text)
    assert "pending" not in words(member.text)

    await ana.send("/help")
    coordinating = await ana.receives(containing=said("help.text"))
    assert len((coordinating.text or "").splitlines()) <= 10
    assert {"avisar", "pending", "newmember"} <= words(coordinating.text)


async def test_english_help_names_the_english_commands(world: World) -> None:
    (kim,) = await world.members("kim")
    await kim.send("/language")
    await kim.press(await kim.receives(containing="idioma"), "English")
    await kim.receives(containing=said("language.saved", "en"))
    await kim.send("/help")
    shown = await kim.receives(containing=said("help.text", "en"))
    assert "/checkin" in (shown.text or "") and "/cita" not in (shown.text or "")
    assert len((shown.text or "").splitlines()) <= 10


async def test_the_zone_picker_names_latin_america_in_spanish(world: World) -> None:
    (ana,) = await world.members("ana")
    await ana.send("/zona")
    choose = await ana.receives(containing=said("timezone.choose"))
    buttons = choose.buttons()
    for place in (
        "Tijuana",
        "Hermosillo",
        "Chihuahua",
        "Ciudad Juárez",
        "Ciudad de México",
        "Cancún",
        "Mazatlán",
        "Guatemala",
        "El Salvador",
        "Honduras",
        "Nicaragua",
        "Costa Rica",
        "Panamá",
        "Cuba",
        "República Dominicana",
        "Puerto Rico",
        "Colombia",
        "Ecuador",
        "Perú",
        "Bolivia",
        "Venezuela",
        "Chile",
        "Argentina",
        "Uruguay",
        "Paraguay",
        "São Paulo",
        "Manaos",
    ):
        assert any(button.endswith(place) for button in buttons), place
    assert not [b for b in buttons if "Madrid" in b or "Europe" in b or "Mexico City" in b]
    assert "✓ 🇲🇽 Ciudad de México" in buttons
    assert buttons[-1] == "🌎 Otra zona"

    await ana.press(choose, "🇲🇽 Tijuana")
    await ana.receives(containing="la hora de Tijuana, ahora son las")
    await ana.send("/zona")
    again = await ana.receives(containing=said("timezone.choose"))
    assert "✓ 🇲🇽 Tijuana" in again.buttons()
    await ana.press(again, "🌎 Otra zona")
    other = await ana.receives(containing=said("timezone.choose_other"))
    assert "🇪🇸 España" in other.buttons()
    await ana.press(other, "🇪🇸 España")
    await ana.receives(containing="la hora de Madrid")


async def test_the_zone_picker_speaks_english_to_english_speakers(world: World) -> None:
    (kim,) = await world.members("kim")
    await kim.send("/language")
    await kim.press(await kim.receives(containing="idioma"), "English")
    await kim.receives(containing=said("language.saved", "en"))
    await kim.send("/timezone")
    choose = await kim.receives(containing=said("timezone.choose", "en"))
    assert "✓ 🇲🇽 Mexico City" in choose.buttons()
    assert "🇩🇴 Dominican Republic" in choose.buttons()


async def test_phone_examples_follow_the_networks_country(world: World) -> None:
    ana, bea, gaby, hilda = await world.members("ana", "bea", "gaby", "hilda")
    await coordinator(world, ana, "Colectiva Prueba", CDMX)
    await add_member(ana, bea)
    await bea.send("/revisar 12")
    mexican = await bea.receives(containing=said("check.error.phone"))
    assert "55 1234 5678" in (mexican.text or "")

    await coordinator(world, gaby, "Red Mixco Prueba", MIXCO)
    await gaby.send("/revisar 12")
    guatemalan = await gaby.receives(containing=said("check.error.phone"))
    assert "55 1234 5678" not in (guatemalan.text or "")
    assert "5123 4567" in (guatemalan.text or "")
    await hilda.send("/ayuda")
    assert "55 1234 5678" not in ((await hilda.receives(containing=said("help.text"))).text or "")
