"""Step 2: invitations, acceptance, listing, removal, leaving, the limit of five."""

from __future__ import annotations

from bot.emulator import EmulatedUser
from tests.e2e.conftest import World
from tests.support.catalog import said


async def invite_token(world: World, worker: EmulatedUser, label: str = "") -> str:
    await worker.send(f"/invite {label}".strip())
    link = await worker.receives(containing="https://t.me/")
    assert f"https://t.me/{world.emulator.bot_username}?start=" in link.text
    return link.text.rsplit("start=", 1)[1].split()[0]


async def test_invited_contact_sees_who_invites_and_both_are_told(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    token = await invite_token(world, ana, "Luz")
    assert len(token) >= 22  # at least 128 random bits in URL-safe base64
    await luz.send(f"/start {token}")
    offer = await luz.receives(containing="Ana te invita")
    assert "alerta" in offer.text
    await luz.press(offer, "✅ Acepto")
    await luz.receives(containing="Ahora eres contacto de confianza de Ana")
    await ana.receives(containing="Luz aceptó")


async def test_link_is_single_use_and_a_stranger_is_refused_kindly(world: World) -> None:
    ana, luz, eva = await world.members("ana", "luz", "eva")
    token = await invite_token(world, ana, "Luz")
    await luz.send(f"/start {token}")
    offer = await luz.receives(containing="Ana te invita")
    await luz.press(offer, "✅ Acepto")
    await luz.receives(containing="Ahora eres contacto")
    await eva.send(f"/start {token}")
    await eva.receives(containing="ya no sirve")
    await eva.send("/contacts")
    await eva.receives(containing="Todavía no tienes contactos")


async def test_link_expires_after_a_day(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    token = await invite_token(world, ana)
    await world.advance(hours=24, seconds=1)
    await luz.send(f"/start {token}")
    await luz.receives(containing="ya no sirve")


async def test_an_offer_pressed_after_expiry_is_refused(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    token = await invite_token(world, ana)
    await luz.send(f"/start {token}")
    offer = await luz.receives(containing="Ana te invita")
    await world.advance(hours=25)
    await luz.press(offer, "✅ Acepto")
    await luz.receives(containing="ya no sirve")


async def test_declining_tells_the_worker_without_a_name(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    token = await invite_token(world, ana, "Prima")
    await luz.send(f"/start {token}")
    offer = await luz.receives(containing="Ana te invita")
    await luz.press(offer, "No, gracias")
    await luz.receives(containing="no aceptaste")
    note = await ana.receives(containing="no fue aceptada")
    assert "Luz" not in note.text


async def test_own_link_is_refused(world: World) -> None:
    (ana,) = await world.members("ana")
    token = await invite_token(world, ana)
    await ana.send(f"/start {token}")
    await ana.receives(containing="tu propio enlace")


async def test_contacts_lists_and_removes_and_the_contact_is_told(world: World) -> None:
    ana, luz, eva = await world.members("ana", "luz", "eva")
    await world.link(ana, luz, eva)
    await ana.send("/contacts")
    listing = await ana.receives(containing=said("contacts.list.mine"))
    assert "Luz" in listing.text and "Eva" in listing.text
    await ana.press(listing, "Quitar a Luz")
    await ana.receives(containing="Luz ya no es tu contacto")
    await luz.receives(containing="Ana ya no te tiene como contacto")
    await ana.send("/contacts")
    listing = await ana.receives(containing=said("contacts.list.mine"))
    assert "Luz" not in listing.text and "Eva" in listing.text


async def test_a_contact_can_leave_and_the_worker_is_told(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await luz.send("/contacts")
    theirs = await luz.receives(containing="Eres contacto de confianza de")
    await luz.press(theirs, "Dejar de ser contacto de Ana")
    await luz.receives(containing="ya no eres contacto de Ana")
    await ana.receives(containing="Luz dejó de ser tu contacto")


async def test_at_most_five_contacts(world: World) -> None:
    people = await world.members("ana", "bea", "cris", "dani", "eva", "fer", "gabi")
    ana, friends = people[0], people[1:]
    await world.link(ana, *friends[:5])
    await ana.send("/invite")
    await ana.receives(containing="Ya tienes 5 contactos")


async def test_stale_remove_button_gets_a_kind_answer(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await ana.send("/contacts")
    listing = await ana.receives(containing=said("contacts.list.mine"))
    await ana.press(listing, "Quitar a Luz")
    await ana.receives(containing="ya no es tu contacto")
    await ana.press(listing, "Quitar a Luz")
    await ana.receives(containing="Ese contacto ya no existe")
