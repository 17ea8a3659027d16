"""A partner's note ("Anotar para Luz") end to end: in a shift of three, Eva adds what she saw
to Luz's running check-in (text and a pin); at Luz's deadline her partners get it first, her
contacts after the grace with the pin; Luz's own chat shows nothing of it; it is sealed at
rest, and gone once the check-in ends or its author used /forget; nobody else may add one."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from bot.emulator import EmulatedUser, SentMessage
from tests.e2e.conftest import GRACE, World, short_checkin
from tests.e2e.test_at_rest import database_bytes
from tests.e2e.test_shifts import shift_of_three
from tests.support.catalog import said

PLATE = "TEST-4455 gris"
NOTE = f"placa {PLATE}, carro Tsuru"
LAT, LON = 19.4011, -99.1702  # Eva's pin
NOTE_BUTTON = said("button.shift_note", alias="Luz")


async def notes_in_database(world: World) -> int:
    """Check-ins that still hold partners' notes (sealed)."""
    async with world.bot.core.db.unit_of_work() as uow:
        session = uow.session  # type: ignore[attr-defined]
        query = text("SELECT count(*) FROM checkins WHERE notes_sealed IS NOT NULL")
        return int(await session.scalar(query))


async def luz_busy(world: World) -> tuple[list[EmulatedUser], EmulatedUser, SentMessage]:
    """A shift of three (Ana, Luz, Eva) and Sol, Luz's contact; Luz starts a one-minute
    check-in. Returns the shift, Sol, and the message that tells Eva."""
    ana, luz, eva = await shift_of_three(world)
    (sol,) = await world.members("sol")
    await world.link(luz, sol)
    await short_checkin(luz, "Motel Prueba")
    await luz.receives(containing=said("checkin.started"))
    await ana.receives(containing=said("shifts.busy", alias="Luz"))
    told = await eva.receives(containing=said("shifts.busy", alias="Luz"))
    assert told.has_button(NOTE_BUTTON)
    return [ana, luz, eva], sol, told


async def eva_notes(eva: EmulatedUser, told: SentMessage) -> None:
    """Eva taps "📝 Anotar para Luz", types what she saw, sends a pin and taps "Listo"."""
    await eva.press(told, NOTE_BUTTON)
    await eva.receives(containing=said("shift.note.ask", alias="Luz"))
    typed = await eva.send(NOTE)
    await eva.receives(containing=said("shift.note.saved", alias="Luz"))
    assert eva.is_deleted(typed)  # a plate does not stay on her screen either
    await eva.send_location(LAT, LON)
    saved = await eva.receives(containing=said("shift.note.saved", alias="Luz"))
    await eva.press(saved, said("button.note_done"))
    await eva.receives(containing=said("shift.note.done"))


def note_line(partner: str = "Eva") -> str:
    return said("alert.note", partner=partner, text=NOTE)


def nothing_of_it(user: EmulatedUser) -> None:
    """Her chat shows nothing of the note: not its words, not its pin, not that there is one."""
    for message in user.inbox():
        shown = message.text or ""
        assert PLATE not in shown and "Tsuru" not in shown, shown
        assert said("alert.note_pin", partner="Eva") not in shown
        assert message.location != (LAT, LON)


async def test_a_partners_note_reaches_partners_first_and_contacts_with_its_pin(
    world: World, tmp_path: Path
) -> None:
    (ana, luz, eva), sol, told = await luz_busy(world)
    await eva_notes(eva, told)
    await world.settle()
    assert await notes_in_database(world) == 1
    dump = await database_bytes(world, tmp_path)  # sealed at rest: no word of it in clear
    assert PLATE.encode() not in dump and b"Tsuru" not in dump and str(LAT).encode() not in dump

    await world.advance(minutes=1)  # her deadline: her partners first, with the note
    for partner in (ana, eva):
        overdue = await partner.receives(containing=said("shifts.overdue", alias="Luz"))
        assert note_line() in (overdue.text or "")
        pin = await partner.receives()
        assert pin.location == (LAT, LON)
    await sol.receives_nothing()
    await world.advance(seconds=GRACE + 1)  # then her contacts, with the note and its pin
    alert = await sol.receives(containing=said("alert.missed.title", alias="Luz"))
    assert note_line() in (alert.text or "")
    assert said("alert.note_pin", partner="Eva") in (alert.text or "")
    assert alert.protect_content
    pin = await sol.receives()
    assert pin.location == (LAT, LON)
    await world.settle()
    nothing_of_it(luz)

    await luz.send("/bien")
    await luz.receives(containing=said("checkin.safe_after_alert"))
    await world.settle()
    assert await notes_in_database(world) == 0
    await eva.press(told, NOTE_BUTTON)  # after the check-in ended: kindly refused
    await eva.receives(containing=said("shift.note.gone"))
    nothing_of_it(luz)


async def test_a_note_after_the_alert_goes_to_her_contacts_at_once(world: World) -> None:
    (ana, luz, eva), sol, _told = await luz_busy(world)
    await world.advance(minutes=1, seconds=GRACE + 1)
    await sol.receives(containing=said("alert.missed.title", alias="Luz"))
    await eva.send(f"/anotar Luz {NOTE}")  # the one-message form
    await eva.receives(containing=said("shift.note.saved", alias="Luz"))
    for other in (sol, ana):
        late = await other.receives(containing=said("shifts.note_late", alias="Luz"))
        assert note_line() in (late.text or "")
    await world.settle()
    nothing_of_it(luz)


async def test_only_a_partner_of_her_shift_now_adds_a_note(world: World) -> None:
    (_ana, _luz, eva), sol, told = await luz_busy(world)
    await sol.send(f"/anotar Luz {NOTE}")  # her contact, not in the shift
    await sol.receives(containing=said("shift.note.nobody"))
    await eva.send("/turno fin")  # no longer her partner: her button no longer works
    await eva.receives(containing=said("shift.left_ok"))
    await eva.press(told, NOTE_BUTTON)
    await eva.receives(containing=said("shift.note.gone"))
    await world.settle()
    assert await notes_in_database(world) == 0


async def test_a_note_goes_when_its_author_uses_forget(world: World) -> None:
    (ana, _luz, eva), sol, told = await luz_busy(world)
    await eva_notes(eva, told)
    await ana.send("/anotar")  # Luz is the only one busy: straight to her note
    await ana.receives(containing=said("shift.note.ask", alias="Luz"))
    await ana.send("Ana vio la placa TEST-9090")
    await ana.receives(containing=said("shift.note.saved", alias="Luz"))
    await eva.send("/forget")
    confirm = await eva.receives(containing=said("forget.confirm"))
    await eva.press(confirm, "Sí, borrar todo")
    await world.settle()
    assert said("forget.done") in (confirm.text or "")
    assert await notes_in_database(world) == 1  # Ana's is still there
    await world.advance(minutes=1, seconds=GRACE + 1)
    alert = await sol.receives(containing=said("alert.missed.title", alias="Luz"))
    assert "TEST-9090" in (alert.text or "")
    assert PLATE not in (alert.text or "") and "Eva" not in (alert.text or "")


async def test_the_shift_ending_takes_the_notes_with_it(world: World) -> None:
    (_ana, luz, eva), _sol, told = await luz_busy(world)
    await eva_notes(eva, told)
    await world.settle()
    assert await notes_in_database(world) == 1
    await luz.send("/turno fin")  # her place in the shift goes, and the notes on her check-in
    await luz.receives(containing=said("shift.left_ok"))
    await world.settle()
    assert await notes_in_database(world) == 0
    nothing_of_it(luz)


async def test_a_note_takes_words_or_a_pin_and_at_most_five(world: World) -> None:
    (_ana, _luz, eva), _sol, told = await luz_busy(world)
    await eva.press(told, NOTE_BUTTON)
    await eva.receives(containing=said("shift.note.ask", alias="Luz"))
    await eva.send_photo()
    await eva.receives(containing=said("shift.note.only_text"))
    await eva.send("x" * 600)
    await eva.receives(containing=said("shift.note.truncated", alias="Luz", max=500))
    for n in range(2, 5):
        await eva.send(f"nota {n}")
        await eva.receives(containing=said("shift.note.saved", alias="Luz"))
    await eva.send("nota 5")
    last = await eva.receives(containing=said("shift.note.saved_last", alias="Luz", max=5))
    assert not last.buttons()
    await eva.send(f"/anotar {NOTE}")
    await eva.receives(containing=said("shift.note.full", alias="Luz", max=5))


CODEWORD = "Mandarina Azul Prueba"


async def test_her_code_word_alert_carries_the_notes_and_her_chat_shows_none(
    world: World,
) -> None:
    (ana, luz, eva), sol, told = await luz_busy(world)
    await luz.send(f"/codeword {CODEWORD}")
    chosen = await luz.receives(containing=said("codeword.choose_reply"))
    await luz.press(chosen, "Nada (no contestar)")
    await eva_notes(eva, told)
    await luz.send(CODEWORD)  # the silent alarm: a check-in of its own, with her details
    alert = await sol.receives(containing="palabra clave")
    assert note_line() in (alert.text or "")
    # Her partners get the alarm at once with the note too (she shares no details with
    # them: the note is what a partner saw, not hers), and its pin after it.
    for partner in (ana, eva):
        told_partner = await partner.receives(containing="palabra clave")
        assert note_line() in (told_partner.text or "")
        assert "Motel Prueba" not in (told_partner.text or "")
        pin = await partner.receives()
        assert pin.location == (LAT, LON)
    await world.settle()
    nothing_of_it(luz)
