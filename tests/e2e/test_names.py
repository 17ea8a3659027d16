"""Every message that names a person names them, in the words they chose: the alias is asked
before anything would show her to others (then what she asked for goes on), and her form of
address (ella, él, neutral) is how her contacts read about her."""

from __future__ import annotations

from bot.core.context import Work
from bot.emulator import EmulatedUser
from tests.e2e.conftest import GRACE, World, set_pins
from tests.support.catalog import said
from tests.support.units import committed

SAFE_PIN, DURESS_PIN = "482913", "735260"


async def invite_token(worker: EmulatedUser, label: str = "") -> str:
    await worker.send(f"/invite {label}".strip())
    link = await worker.receives(containing=said("invite.created"))
    return (link.text or "").rsplit("start=", 1)[1].split()[0]


async def open_offer(contact: EmulatedUser, token: str, worker_alias: str) -> None:
    await contact.send(f"/start {token}")
    await contact.receives(containing=said("invite.offer", alias=worker_alias))


async def accept(contact: EmulatedUser, token: str, worker_alias: str) -> None:
    await open_offer(contact, token, worker_alias)
    await contact.press(None, said("button.accept"))


async def confirm(worker: EmulatedUser, alias: str) -> None:
    """The worker, shown the account's own alias, taps "Sí"."""
    asked = await worker.receives(containing=said("contacts.to_confirm", alias=alias))
    await worker.press(asked, said("button.contact_yes"))
    await worker.receives(containing=said("contacts.confirmed_ok"))


async def test_a_contact_who_came_by_a_link_is_asked_her_alias_before_she_invites_or_sos(
    world: World,
) -> None:
    ana, eva = await world.members("ana", "eva")
    luz = world.emulator.user("luz")  # her first contact with the bot: Ana's link
    await open_offer(luz, await invite_token(ana, "Luz"), "Ana")
    await luz.send("/invite Eva")
    await luz.receives(containing=said("alias.first"))
    await luz.send("Lucía")
    link = await luz.receives(containing=said("invite.created"))  # what she asked for
    token = (link.text or "").rsplit("start=", 1)[1].split()[0]
    await accept(eva, token, "Lucía")
    await eva.receives(containing=said("invite.waiting", alias="Lucía"))
    await confirm(luz, "Eva")
    await luz.send("/sos")
    alert = await eva.receives(containing=said("alert.sos.title", alias="Lucía"))
    assert "  " not in (alert.text or "").split("\n", 1)[0]


async def test_a_checkin_typed_before_the_alias_starts_once_it_is_given(world: World) -> None:
    (ana,) = await world.members("ana")
    luz = world.emulator.user("luz")
    await open_offer(luz, await invite_token(ana, "Luz"), "Ana")
    typed = await luz.send("/checkin 45m Hotel Prueba hab 12")
    await luz.receives(containing=said("alias.first"))
    assert luz.is_deleted(typed)  # it held details: gone at once
    await luz.send("Luz")
    await luz.receives(containing=said("checkin.started"))
    await luz.receives(containing=said("checkin.details_saved_deleted"))
    running = await world.member(luz)
    assert running.alias == "Luz" and running.conversation is not None


async def test_accepting_asks_the_contact_her_alias_first_and_shows_it_to_the_worker(
    world: World,
) -> None:
    """Labeled or not, the worker is shown the alias the account chose: the name on the
    invitation is hers, and a stolen link must not borrow it."""
    (ana,) = await world.members("ana")
    for label in ("", "Prima"):
        luz = world.emulator.user(f"luz{label}")
        await accept(luz, await invite_token(ana, label), "Ana")
        await luz.receives(containing=said("alias.first"))
        await luz.send("Luz")
        await luz.receives(containing=said("invite.waiting", alias="Ana"))
        key = "contacts.to_confirm" if label else "contacts.to_confirm_unlabeled"
        asked = await ana.receives(containing=said(key, label=label, alias="Luz"))
        await ana.press(asked, said("button.contact_yes"))
        told = await ana.receives(containing=said("contacts.confirmed_ok", label=label or "Luz"))
        assert f" {label or 'Luz'} " in (told.text or "")


async def unlabel(work: Work, worker_id: str, contact_id: str) -> None:
    """Her link to a contact as it was stored before every contact had a name: no label."""
    link = await work.contacts.find(worker_id, contact_id)
    assert link is not None
    await work.contacts.remove(link.id)
    await work.contacts.add(worker_id, contact_id, None, work.clock.now())


async def test_an_unlabeled_contact_who_acknowledges_is_named_to_the_others(
    world: World,
) -> None:
    ana, luz, eva = await world.members("ana", "luz", "eva")
    await world.link(ana, luz, eva)
    worker, contact = await world.member(ana), await world.member(luz)
    await committed(world.bot.core, unlabel, worker.id, contact.id)
    await ana.send("/checkin 10m")
    await ana.receives(containing=said("checkin.started"))
    await world.advance(minutes=10, seconds=GRACE + 1)
    alert = await luz.receives(containing=said("alert.missed.title", alias="Ana"))
    late = await eva.receives(containing=said("alert.missed.title", alias="Ana"))
    await luz.press(alert, said("button.on_it"))
    told = await eva.receives(containing=said("alert.acknowledged", label="Luz", alias="Ana"))
    assert "?" not in (told.text or "")
    await eva.press(late, said("button.on_it"))
    already = await eva.receives(containing=said("alert.ack.already", label="Luz", alias="Ana"))
    assert "?" not in (already.text or "")


async def test_an_alert_about_a_man_reads_masculine_to_his_contacts(world: World) -> None:
    (leo,) = await world.members("leo", address="he")
    (luz,) = await world.members("luz")
    (kim,) = await world.members("kim", language="en")
    await world.link(leo, luz, kim)
    await set_pins(leo, SAFE_PIN, DURESS_PIN)
    await leo.send("/checkin 1h")
    await leo.receives(containing=said("checkin.started"))
    await leo.press(None, said("button.safe"))
    await leo.receives(containing=said("pin.ask"))
    await leo.send(DURESS_PIN)
    spanish = await luz.receives(containing=said("alert.duress.title.he", alias="Leo"))
    english = await kim.receives(containing=said("alert.duress.title.he", "en", alias="Leo"))
    assert "lo obligó" in (spanish.text or "") and "la obligó" not in (spanish.text or "")
    assert "forced him" in (english.text or "") and " her " not in (english.text or "")


async def test_an_alert_about_someone_neutral_reads_neutral(world: World) -> None:
    (sam,) = await world.members("sam", address="neutral")
    (luz,) = await world.members("luz")
    await world.link(sam, luz)
    await set_pins(sam, SAFE_PIN, DURESS_PIN)
    await sam.send("/checkin 1h")
    await sam.receives(containing=said("checkin.started"))
    await sam.press(None, said("button.safe"))
    await sam.receives(containing=said("pin.ask"))
    await sam.send(DURESS_PIN)
    alert = await luz.receives(containing=said("alert.duress.title.neutral", alias="Sam"))
    assert " la obligó" not in (alert.text or "") and " lo obligó" not in (alert.text or "")
