"""Step 2: invitations, acceptance and her confirmation, listing, removal, leaving, the
limit of five; a stolen link makes the thief nothing."""

from __future__ import annotations

from sqlalchemy import select

from bot.emulator import EmulatedUser, SentMessage
from storage.models import ContactRow
from tests.e2e.conftest import GRACE, World, short_checkin
from tests.support.catalog import said


async def invitation(world: World, worker: EmulatedUser, label: str = "") -> SentMessage:
    """Her message with a new invitation link."""
    await worker.send(f"/invite {label}".strip())
    link = await worker.receives(containing="https://t.me/")
    assert f"https://t.me/{world.emulator.bot_username}?start=" in link.text
    return link


def token_of(link: SentMessage) -> str:
    return (link.text or "").rsplit("start=", 1)[1].split()[0]


async def invite_token(world: World, worker: EmulatedUser, label: str = "") -> str:
    return token_of(await invitation(world, worker, label))


async def accepts(user: EmulatedUser, token: str, worker_alias: str = "Ana") -> None:
    """She opens the link, taps "Acepto", and is told the worker has to confirm."""
    await user.send(f"/start {token}")
    offer = await user.receives(containing=f"{worker_alias} te invita")
    await user.press(offer, "✅ Acepto")
    await user.receives(containing=said("invite.waiting", alias=worker_alias))


async def test_invited_contact_sees_who_invites_and_both_are_told(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    link = await invitation(world, ana, "Luz")
    token = token_of(link)
    assert len(token) >= 22  # at least 128 random bits in URL-safe base64
    await luz.send(f"/start {token}")
    offer = await luz.receives(containing="Ana te invita")
    assert "alerta" in offer.text
    await luz.press(offer, "✅ Acepto")
    await luz.receives(containing="Ana tiene que confirmar que eres tú")
    asked = await ana.receives(containing="tu invitación para «Luz»")
    assert "Su nombre en Compañera es «Luz»" in asked.text
    assert asked.buttons() == ["✓ Sí", "✗ No"]
    assert all(luz_id not in str(asked.reply_markup) for luz_id in (str(luz.id), token))
    await ana.press(asked, "✓ Sí")
    await ana.receives(containing="Listo: Luz ya es tu contacto de confianza")
    await luz.receives(containing="Ana confirmó que eres tú: ahora eres su contacto de confianza")
    await world.settle()
    assert not asked.buttons()  # answered: the question keeps no buttons
    assert link.text == said("invite.link_used")  # the link left her chat
    await ana.send("/contacts")
    listing = await ana.receives(containing=said("contacts.list.mine"))
    assert "Luz" in listing.text


async def test_a_stolen_link_makes_the_thief_nothing(world: World) -> None:
    """Pedro opens the link Ana made for Luz: Ana reads Pedro's own alias, not "Luz"; until
    she answers, and after her "No", nothing of hers reaches him, not even an alert."""
    ana, luz, pedro = await world.members("ana", "luz", "pedro")
    link = await invitation(world, ana, "Luz")
    await accepts(pedro, token_of(link))
    asked = await ana.receives(containing=said("contacts.to_confirm", label="Luz", alias="Pedro"))
    assert "«Pedro»" in asked.text
    rows = (asked.reply_markup or {})["inline_keyboard"]
    data = [button["callback_data"] for row in rows for button in row]
    async with world.bot.core.db.engine.connect() as connection:
        stored = (await connection.execute(select(ContactRow.id, ContactRow.confirm_hash))).all()
    assert stored and all(
        row_id not in item and row_id[:8] not in item and digest.hex() not in item
        for row_id, digest in stored
        for item in data
    )
    await world.settle()
    assert link.text == said("invite.link_used") and "start=" not in link.text

    # Pending: he is nobody's contact. Her check-in warns her she has none; it alerts no one.
    await ana.send("/contacts")
    await ana.receives(containing=said("contacts.list.empty"))
    await short_checkin(ana, "Hotel Real, P-123ABC")
    await ana.receives(containing=said("checkin.no_contacts"))
    await world.advance(minutes=1, seconds=GRACE + 1)
    await ana.receives(containing=said("checkin.alert_sent_nobody"))
    await world.advance(minutes=30)
    await pedro.receives_nothing()

    await ana.press(asked, "✗ No")
    await ana.receives(containing=said("contacts.rejected_ok"))
    told = await pedro.receives(containing=said("contacts.not_confirmed"))
    assert "Ana" not in told.text and "Luz" not in told.text
    await world.settle()
    assert not asked.buttons()  # no "Sí" left to tap by mistake
    await ana.send("/safe")
    await ana.receives(containing=said("checkin.safe"))

    # She invites again; her next missed check-in reaches Luz, and still not Pedro.
    await world.link(ana, luz)
    await short_checkin(ana, "Motel Sol")
    await ana.receives(containing=said("checkin.details_saved_deleted"))
    await world.advance(minutes=1, seconds=GRACE + 1)
    alert = await luz.receives(containing=said("alert.missed.title", alias="Ana"))
    assert "Motel Sol" in alert.text
    await world.settle()
    await pedro.receives_nothing()
    await pedro.send("/contacts")
    await pedro.receives(containing=said("contacts.list.empty"))


async def test_an_unanswered_confirmation_expires_with_the_invitation(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    await accepts(luz, await invite_token(world, ana, "Luz"))
    asked = await ana.receives(containing=said("contacts.to_confirm", label="Luz", alias="Luz"))
    await world.advance(hours=24, minutes=61)
    await luz.receives(containing=said("contacts.not_confirmed"))
    async with world.bot.core.db.unit_of_work() as uow:
        her, them = await world.member(ana), await world.member(luz)
        assert not await uow.contacts.pending_exists(her.id, them.id)
    await ana.press(asked, "✓ Sí")
    await ana.receives(containing=said("contacts.confirm.gone"))
    await world.settle()
    await luz.receives_nothing()


async def test_a_second_link_while_one_waits_is_refused_kindly(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    await accepts(luz, await invite_token(world, ana, "Luz"))
    token = await invite_token(world, ana, "Luz")
    await luz.send(f"/start {token}")
    await luz.receives(containing=said("invite.error.waiting", alias="Ana"))


async def test_link_is_single_use_and_a_stranger_is_refused_kindly(world: World) -> None:
    ana, luz, eva = await world.members("ana", "luz", "eva")
    token = await invite_token(world, ana, "Luz")
    await luz.send(f"/start {token}")
    offer = await luz.receives(containing="Ana te invita")
    await luz.press(offer, "✅ Acepto")
    await luz.receives(containing=said("invite.waiting", alias="Ana"))
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
    link = await invitation(world, ana, "Prima")
    await luz.send(f"/start {token_of(link)}")
    offer = await luz.receives(containing="Ana te invita")
    await luz.press(offer, "No, gracias")
    await luz.receives(containing="no aceptaste")
    note = await ana.receives(containing="no fue aceptada")
    assert "Luz" not in note.text
    await world.settle()
    assert link.text == said("invite.link_used")


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


async def test_a_waiting_account_is_not_told_she_is_gone(world: World) -> None:
    """Not even her /forget reaches an account she never confirmed; its link goes with her."""
    ana, pedro = await world.members("ana", "pedro")
    await accepts(pedro, await invite_token(world, ana, "Luz"))
    await ana.receives(containing=said("contacts.to_confirm", label="Luz", alias="Pedro"))
    await ana.send("/forget")
    await ana.press(await ana.receives(containing=said("forget.confirm")), "Sí, borrar todo")
    await world.settle()
    await pedro.receives_nothing()
    async with world.bot.core.db.engine.connect() as connection:
        assert not (await connection.execute(select(ContactRow.id))).all()
