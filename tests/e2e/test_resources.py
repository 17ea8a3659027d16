"""Resources for everyone in /help, end to end: her country's from her zone or asked, each
kind behind a button, the State's emergency numbers labelled as such (and never in discreet
mode), a network's own resources before them for its members."""

from __future__ import annotations

from bot.emulator import EmulatedUser
from tests.e2e.conftest import World
from tests.e2e.peers import CDMX, add_member, coordinator
from tests.support.catalog import said


async def zone(user: EmulatedUser, place: str) -> None:
    await user.send("/zona")
    choose = await user.receives(containing=said("timezone.choose"))
    await user.press(choose, next(b for b in choose.buttons() if b.endswith(f" {place}")))
    await user.receives(containing=place)


async def test_a_non_member_in_guatemala_finds_its_resources(world: World) -> None:
    (eva,) = await world.members("eva")
    await zone(eva, "Guatemala")
    await eva.send("/ayuda")
    await eva.receives(containing=said("help.text"))
    offer = await eva.receives(containing=said("resources.offer", country="Guatemala"))
    assert offer.buttons() == [
        "🤝 Organizaciones",
        "🩺 Salud sexual",
        "⚖️ Apoyo legal",
        "🛟 Contra la violencia",
        "🚑 Números de emergencia (incluyen policía)",
        "🌎 Otro país",
    ]
    await eva.press(offer, "🤝 Organizaciones")
    found = await eva.receives(containing="🤝 Organizaciones en Guatemala")
    assert "OTRANS Reinas de la Noche" in (found.text or "")
    assert "reinasdelanoche.org.gt" in (found.text or "")
    await eva.press(offer, "🛟 Contra la violencia")
    violence = await eva.receives(containing="🛟 Contra la violencia en Guatemala")
    assert "1572" in (violence.text or "")
    await eva.press(offer, "🚑 Números de emergencia (incluyen policía)")
    numbers = await eva.receives(containing="Números de emergencia del Estado en Guatemala")
    assert "incluyen a la policía" in (numbers.text or "")
    assert "110 o 120" in (numbers.text or "")
    await world.settle()
    await eva.receives_nothing()


async def test_another_country_is_asked_for_and_shown(world: World) -> None:
    (eva,) = await world.members("eva")
    await zone(eva, "Guatemala")
    await eva.send("/ayuda")
    offer = await eva.receives(containing=said("resources.offer", country="Guatemala"))
    await eva.press(offer, "🌎 Otro país")
    asked = await eva.receives(containing=said("resources.ask_country"))
    assert asked.buttons() == ["Guatemala", "México", "Perú"]
    await eva.press(asked, "Perú")
    peru = await eva.receives(containing=said("resources.offer", country="Perú"))
    await eva.press(peru, "🛟 Contra la violencia")
    line = await eva.receives(containing="Contra la violencia en Perú")
    assert "Línea 100" in (line.text or "")


async def test_a_zone_of_no_listed_country_asks_which(world: World) -> None:
    (eva,) = await world.members("eva")
    await zone(eva, "Colombia")
    await eva.send("/ayuda")
    asked = await eva.receives(containing=said("resources.ask_country"))
    await eva.press(asked, "México")
    await eva.receives(containing=said("resources.offer", country="México"))


async def test_a_networks_resources_come_first_for_its_member(world: World) -> None:
    ana, bea = await world.members("ana", "bea")
    await coordinator(world, ana, "Alianza Prueba", CDMX)
    await add_member(ana, bea)
    await bea.send("/ayuda")
    helped = await bea.receives(containing=said("help.text"))
    own = await bea.receives(containing="Recursos de Alianza Prueba")
    country = await bea.receives(containing=said("resources.offer", country="México"))
    assert helped.message_id < own.message_id < country.message_id


async def test_in_discreet_mode_no_emergency_numbers_and_neutral_words(world: World) -> None:
    (eva,) = await world.members("eva")
    await zone(eva, "Guatemala")
    await eva.send("/discreto")
    await eva.press(
        await eva.receives(containing=said("discreet.is_off")), said("button.discreet_on")
    )
    await eva.receives(containing=said("discreet.saved_on"))
    await eva.send("/ayuda")
    offer = await eva.receives(containing=said("resources.offer.discreet", country="Guatemala"))
    assert not any("emergencia" in b or "policía" in b for b in offer.buttons())
    assert "trabajadoras sexuales" not in (offer.text or "")
