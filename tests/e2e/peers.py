"""Peer networks for end-to-end tests: two fictional organisations on one bot, and the steps
their members take (join, follow an area, write a warning)."""

from __future__ import annotations

from bot.core.network_config import parse_config
from bot.core.networks import PassCreated, create_network, show_code
from bot.emulator import EmulatedUser, SentMessage
from tests.e2e.conftest import World
from tests.support.catalog import said
from tests.support.units import committed

CDMX = """
region: MX
retention_days: 90
moderation: review
publish_delay_minutes: 0  # at once: the delay has tests of its own (test_warn_form.py)
areas:
  - id: centro
    name: Centro
    aliases: [Centro Histórico]
    center: [19.4326, -99.1332]
    radius_km: 3
  - id: norte
    name: Norte
    center: [19.5000, -99.1300]
    radius_km: 3
resources:
  - name: Clínica Prueba
    offers: Pruebas de VIH gratis
    contact: 55 0000 0000
    hours: lunes a viernes 9-17
    kind: health
"""

MIXCO = """
region: GT
retention_days: 30
moderation: open
vouches: 2
areas:
  - id: mixco
    name: Mixco
    center: [14.6333, -90.6064]
    radius_km: 5
"""


async def make_network(world: World, name: str, config: str) -> str:
    """What `companera network create` does; returns the coordinator's code."""
    created = await committed(world.bot.core, create_network, name, parse_config(config))
    assert isinstance(created, PassCreated)
    return created.code


async def coordinator(world: World, user: EmulatedUser, name: str, config: str) -> None:
    """A new network, coordinated by `user`."""
    code = await make_network(world, name, config)
    await user.send(f"/join {show_code(code)}")
    await user.receives(containing="Ahora coordinas")
    await user.receives(containing="Zonas de")
    await user.receives(containing="ubicación")


async def new_member_code(user: EmulatedUser) -> str:
    """/newmember (in her only network, or the first of the choice); the code it gives."""
    await user.send("/newmember")
    given = await user.receives(containing="/unirme ")
    return (given.text or "").rsplit("/unirme ", 1)[1].split()[0]


async def add_member(coordinator: EmulatedUser, newcomer: EmulatedUser) -> None:
    code = await new_member_code(coordinator)
    await newcomer.send(f"/join {code}")
    await newcomer.receives(containing="Bienvenida a")
    await newcomer.receives(containing="Zonas de")
    await newcomer.receives(containing="ubicación")
    await coordinator.receives(containing="Alguien entró")


async def follow(user: EmulatedUser, area: str) -> None:
    """She taps an area's button in /areas."""
    await user.send("/areas")
    choice = await user.receives(containing="Zonas de")
    await user.receives(containing="ubicación")
    button = next(b for b in choice.buttons() if b.endswith(area))
    await user.press(choice, button)
    await user.receives(containing=f"Recibirás los avisos de {area}")


async def write_warning(
    user: EmulatedUser,
    *,
    kind: str = "Cliente violento",
    area: str = "Centro",
    when: str = "Ayer",
    text: str = "Se pone agresivo al pagar, camioneta blanca",
    phone: str | None = None,
    plate: str | None = None,
    name: str | None = None,
) -> SentMessage:
    """/warn to the review step; returns the review message."""
    await user.send("/warn")
    await user.press(await user.receives(containing=said("warn.ask.kind")), kind)
    await user.press(await user.receives(containing=said("warn.ask.area")), area)
    await user.press(await user.receives(containing=said("warn.ask.when")), when)
    await user.receives(containing="Cuéntalo")
    await user.send(text)
    extras = await user.receives(containing=said("warn.ask.extras"))
    if phone:
        await user.press(extras, "📞 Agregar teléfono")
        await user.receives(containing="número de teléfono")
        await user.send(phone)
        extras = await user.receives(containing=said("warn.ask.extras"))
    if plate:
        await user.press(extras, "🚗 Agregar placa")
        await user.receives(containing="placa del carro")
        await user.send(plate)
        extras = await user.receives(containing=said("warn.ask.extras"))
    if name:
        await user.press(extras, "👤 Agregar el nombre que usa")
        await user.receives(containing=said("warn.ask.name"))
        await user.send(name)
        extras = await user.receives(containing=said("warn.ask.extras"))
    await user.press(extras, "Listo, revisar ➡️")
    return await user.receives(containing=said("warn.review"))
