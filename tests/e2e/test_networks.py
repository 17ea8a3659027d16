"""Peer networks end to end: an operator's network, a coordinator, members by link, code
and vouches, areas by button and by pin, removal, and local resources in /help."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from bot.core.networks import show_code
from bot.emulator import SentMessage
from tests.e2e.conftest import World
from tests.e2e.peers import (
    CDMX,
    MIXCO,
    add_member,
    coordinator,
    follow,
    make_network,
    new_member_code,
    write_warning,
)
from tests.support.catalog import said


async def test_coordinator_opens_the_link_then_adds_a_member_by_code(world: World) -> None:
    ana, bea = await world.members("ana", "bea")
    code = await make_network(world, "Alianza Prueba", CDMX)
    await ana.send(f"/start j_{code}")
    joined = await ana.receives(containing="Ahora coordinas Alianza Prueba")
    assert "/newmember" in (joined.text or "")
    await add_member(ana, bea)

    # A code works once: a second person gets a kind refusal, and so does a reused link.
    cris = (await world.members("cris"))[0]
    await ana.send(f"/start j_{code}")
    await ana.receives(containing=said("network.error.code"))
    await cris.send("/join ZZZZZ-ZZZZZ")
    await cris.receives(containing=said("network.error.code"))
    await cris.send("/join tonterías")
    await cris.receives(containing=said("network.error.code"))


async def test_a_member_code_can_be_typed_in_any_case_and_with_spaces(world: World) -> None:
    ana, bea = await world.members("ana", "bea")
    await coordinator(world, ana, "Alianza Prueba", CDMX)
    code = await new_member_code(ana)
    await bea.send("/join")
    await bea.receives(containing="Escribe el código")
    await bea.send(" " + code.lower().replace("-", " ") + " ")
    await bea.receives(containing="Bienvenida a Alianza Prueba")


async def test_codes_expire(world: World) -> None:
    ana, bea = await world.members("ana", "bea")
    await coordinator(world, ana, "Alianza Prueba", CDMX)
    code = await new_member_code(ana)
    await world.advance(days=8)
    await bea.send(f"/join {code}")
    await bea.receives(containing=said("network.error.code"))


async def test_newcomer_joins_after_two_vouches(world: World) -> None:
    ana, bea, cris, dora = await world.members("ana", "bea", "cris", "dora")
    await coordinator(world, ana, "Colectiva Prueba", MIXCO)
    await add_member(ana, bea)
    await add_member(ana, cris)

    # Bea (not a coordinator) invites Dora: her invitation is the first of two vouches.
    await bea.send("/newmember")
    invitation = await bea.receives(containing="Invitación a Colectiva Prueba")
    assert "2 integrantes" in (invitation.text or "")
    code = (invitation.text or "").rsplit("/unirme ", 1)[1].split()[0]
    await dora.send(f"/join {code}")
    waiting = await dora.receives(containing="Ya casi estás")
    vouch_code = (waiting.text or "").rsplit("/unirme ", 1)[1].split()[0]
    assert "Falta 1 integrante" in (waiting.text or "")

    # Until she is in, she gets nothing a member gets.
    await dora.send("/check 5123 4567")
    await dora.receives(containing="Solo las integrantes")

    await bea.send(f"/vouch {vouch_code}")  # the inviter cannot vouch twice
    await bea.receives(containing="Ya habías respondido")
    await dora.send(f"/vouch {vouch_code}")  # nor can she vouch for herself
    await dora.receives(containing=said("network.error.code"))
    await cris.send(f"/vouch {vouch_code}")
    await cris.receives(containing="ya entró a Colectiva Prueba")
    await dora.receives(containing="Ya eres parte de Colectiva Prueba")
    await dora.send("/check 5123 4567")
    await dora.receives(containing=said("check.none"))


async def test_areas_by_button_and_by_pin(world: World) -> None:
    ana, bea = await world.members("ana", "bea")
    await coordinator(world, ana, "Alianza Prueba", CDMX)
    await add_member(ana, bea)
    await bea.send("/areas")
    choice = await bea.receives(containing="Zonas de Alianza Prueba")
    assert choice.buttons() == ["◻️ Centro", "◻️ Norte"]
    await bea.receives(containing="ubicación")
    await bea.send_location(19.501, -99.131)  # in Norte
    followed = await bea.receives(containing="Te anoté en")
    assert "Norte (Alianza Prueba)" in (followed.text or "")
    await bea.press(choice, "◻️ Centro")
    await bea.receives(containing="Recibirás los avisos de Centro")
    await bea.send("/areas")
    again = await bea.receives(containing="Zonas de Alianza Prueba")
    assert again.buttons() == ["✅ Centro", "✅ Norte"]
    await bea.press(again, "✅ Norte")
    await bea.receives(containing="Ya no recibirás los avisos de Norte")
    # While /areas is open, a pin chooses an area; it is not a check-in location.
    await bea.send_location(0.0, 0.0)
    await bea.receives(containing="No hay ninguna zona")


async def test_one_person_in_two_networks_and_help_shows_resources(world: World) -> None:
    ana, gaby, bea = await world.members("ana", "gaby", "bea")
    await coordinator(world, ana, "Alianza Prueba", CDMX)
    await coordinator(world, gaby, "Colectiva Prueba", MIXCO)
    await add_member(ana, bea)
    await add_member(gaby, bea)
    await bea.send("/network")
    about = [await bea.receives(containing="recibes los avisos") for _ in range(2)]
    assert sorted((m.text or "").split(":")[0] for m in about) == [
        "Alianza Prueba",
        "Colectiva Prueba",
    ]
    assert all("Salir de la red" in m.buttons() for m in about)
    await bea.send("/help")
    await bea.receives(containing=said("help.text"))
    resources = await bea.receives(containing="Recursos de Alianza Prueba")
    assert "Clínica Prueba: Pruebas de VIH gratis" in (resources.text or "")
    assert "lunes a viernes 9-17" in (resources.text or "")
    await bea.receives(containing=said("resources.offer", country="México"))  # then her country's
    await world.settle()
    await bea.receives_nothing()  # Mixco's network lists no resources


async def test_removed_member_loses_access_at_once(world: World) -> None:
    ana, bea, cris = await world.members("ana", "bea", "cris")
    await coordinator(world, ana, "Alianza Prueba", CDMX)
    await add_member(ana, bea)
    await add_member(ana, cris)
    await follow(bea, "Centro")
    await follow(cris, "Centro")
    await bea.press(await write_warning(bea, text="Aviso de quien se va"), "📣 Enviar")
    await bea.receives(containing=said("warn.sent_pending"))
    await ana.receives(containing=said("warning.to_review"))
    assert await reporter_columns(world) == [(True, True)]  # a digest and a sealed link
    async with world.bot.core.db.unit_of_work() as uow:
        memberships = (await uow.session.execute(text("SELECT id FROM network_members"))).all()
        warning_values = (await uow.session.execute(text("SELECT * FROM warnings"))).one()
    for (membership_id,) in memberships:  # no column of the warning names its author
        assert not any(membership_id in str(value) for value in warning_values)
        assert not any(
            isinstance(value, bytes) and bytes.fromhex(membership_id) in value
            for value in warning_values
        )
    await ana.send("/remove")
    listing = await ana.receives(containing="Integrantes de Alianza Prueba")
    assert sorted(listing.buttons()) == ["Ana", "Bea", "Cris", "Quitar", "Quitar", "Quitar"]
    await ana.press(listing, _remove_data(listing, "Bea"))
    confirm = await ana.receives(containing="¿Quitarla de la red?")
    await ana.press(confirm, "Sí, quitarla de la red")
    await ana.receives(containing="Bea ya no está en la red")
    await bea.receives(containing="Ya no eres parte de Alianza Prueba")
    await bea.send("/check 55 1234 5678")
    await bea.receives(containing="Solo las integrantes")
    await bea.send("/warn")
    await bea.receives(containing="Esto es para integrantes")
    await bea.send("/areas")
    await bea.receives(containing="Todavía no estás en ninguna red")
    await ana.send("/remove")
    after = await ana.receives(containing="Integrantes de Alianza Prueba")
    assert sorted(after.buttons()) == ["Ana", "Cris", "Quitar", "Quitar"]

    # Her warning stays, unlinked from her; published, it reaches the others, not her.
    assert await reporter_columns(world) == [(False, False)]
    await ana.send("/pending")
    await ana.press(await ana.receives(containing="Aviso de quien se va"), "✅ Publicar")
    await cris.receives(containing="Aviso de quien se va")
    await ana.press(await write_warning(ana, text="Otro aviso de prueba"), "📣 Enviar")
    await cris.receives(containing="Otro aviso de prueba")
    await world.settle()
    await bea.receives_nothing()
    assert not any("aviso de prueba" in (m.text or "").lower() for m in bea.inbox())


async def reporter_columns(world: World) -> list[tuple[bool, bool]]:
    """Whether each warning still holds a link to its author: (digest, sealed link)."""
    query = text("SELECT reporter_digest, reporter_sealed FROM warnings")
    async with world.bot.core.db.unit_of_work() as uow:
        rows = (await uow.session.execute(query)).all()
    return [(digest is not None, sealed is not None) for digest, sealed in rows]


def _remove_data(listing: SentMessage, name: str) -> str:
    """The "Quitar" button on the row of `name`."""
    buttons = listing._inline_buttons()
    row = next(i for i, b in enumerate(buttons) if b["text"] == name)
    assert buttons[row + 1]["text"] == "Quitar"
    return str(buttons[row + 1]["callback_data"])


async def test_coordinator_code_from_show_code_has_a_dash() -> None:
    assert show_code("ABCDEFGHJK") == "ABCDE-FGHJK"


async def test_an_invitation_token_that_starts_like_a_network_link_is_an_invitation(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.core import contacts

    monkeypatch.setattr(contacts, "new_token", lambda: "j_" + "A" * 30)
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)  # /start j_AAAA...: the offer, not "that code does not work"
    await ana.send("/contacts")
    await ana.receives(containing="Luz")
