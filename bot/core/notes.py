"""Notes for a partner ("Anotar para Luz"): the partner who stays behind adds what she saw
(the plate, the car, a description, a pin) to her friend's running check-in. Sealed with the
check-in's key, a note goes into the alert like her own details, and goes with them (she is
safe, her details expire, the shift ends, /forget of either). Nothing of a note reaches her
own chat: the man she is with may read her phone. Not on a drill: it is not real, ends within
minutes, and her partners are not told of it."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core import shifts
from bot.core.context import Refused, Work
from bot.core.notifications import AlertLocation, Notification
from bot.core.notifications.shifts import PartnerNoteLate, note_line
from bot.core.records import HIDDEN_ALARMS, CheckIn, Location, Member, PartnerNote, Status

MAX_NOTE = 500  # characters of one note: a plate, a car, a description
MAX_NOTES = 5  # per partner and check-in
GONE = "shift.note.gone"  # ended, or not her partner now: the same words for both


@dataclass(frozen=True)
class NoteTarget:
    """A partner's running check-in that may take a note, and her alias."""

    checkin_id: str
    alias: str
    address: str


@dataclass(frozen=True)
class Noted:
    alias: str  # hers
    truncated: bool
    left: int  # notes the partner may still add


async def _target(work: Work, partner: Member, checkin: CheckIn | None) -> NoteTarget | Refused:
    if checkin is None or checkin.status not in (Status.ACTIVE, Status.ALERTED):
        return Refused(GONE)
    partners = await shifts.partners_now(work, checkin.member_id)
    worker = await work.members.get(checkin.member_id)
    if worker is None or partner.id not in {p.member_id for p in partners}:
        return Refused(GONE)
    alias = worker.alias or ""
    if checkin.drill is not None:
        return Refused("shift.note.drill", {"alias": alias})
    return NoteTarget(checkin.id, alias, str(worker.address))


async def target(work: Work, partner: Member, checkin_id: str) -> NoteTarget | Refused:
    """Her check-in, if it runs and `partner` is her partner now."""
    return await _target(work, partner, await work.checkins.get(checkin_id))


async def targets(work: Work, partner: Member) -> list[NoteTarget]:
    """The partners of her shift now with a check-in running (not a drill), by alias."""
    found = []
    for other in await shifts.partners_now(work, partner.id):
        checkin = await work.checkins.open_for(other.member_id)
        if checkin is not None and checkin.drill is None:
            found.append(NoteTarget(checkin.id, other.alias, other.address))
    return found


def _bounded(text: str | None) -> tuple[str, bool]:
    text = (text or "").strip()
    return text[:MAX_NOTE], len(text) > MAX_NOTE


async def add(
    work: Work, partner: Member, checkin_id: str, text: str | None, location: Location | None
) -> Noted | Refused:
    """A partner's note (text, a pin, or both) on her friend's running check-in. Her friend
    is told nothing; once her contacts were alerted, they get the note at once."""
    checkin = await work.checkins.get(checkin_id)
    found = await _target(work, partner, checkin)
    if isinstance(found, Refused):
        return found
    assert checkin is not None
    bounded, truncated = _bounded(text)
    if not bounded and location is None:
        return Refused("shift.note.empty", {"alias": found.alias})
    notes = await work.notes.of_checkin(checkin.id)
    mine = sum(1 for note in notes if note.author_id == partner.id)
    if mine >= MAX_NOTES:
        return Refused("shift.note.full", {"alias": found.alias, "max": str(MAX_NOTES)})
    point = Location(location.latitude, location.longitude) if location else None
    note = PartnerNote(partner.id, partner.alias or "", bounded, point, work.clock.now())
    if not await work.notes.add(checkin.id, note):
        return Refused(GONE)
    if await _alerted(work, checkin):
        await _tell_late(work, partner, checkin, found, note, len(notes) + 1)
    return Noted(found.alias, truncated, MAX_NOTES - mine - 1)


async def _tell_late(
    work: Work, partner: Member, checkin: CheckIn, found: NoteTarget, note: PartnerNote, n: int
) -> None:
    """After the alert: her reachable contacts and her other partners get the note now."""
    contacts = await work.contacts.of_worker(checkin.member_id)
    told = [c.contact_id for c in contacts if c.unreachable_at is None]
    told += [p.member_id for p in await shifts.partners_now(work, checkin.member_id)]
    for recipient_id in dict.fromkeys(told):
        if recipient_id in (partner.id, checkin.member_id):
            continue
        late = PartnerNoteLate(
            recipient_id, found.alias, found.address, note_line(note), checkin.id, n
        )
        await work.notify(late)
        if note.location is not None:
            await send_pin(work, late, note.location, 0)


async def for_alert(work: Work, checkin: CheckIn) -> list[PartnerNote]:
    """The notes her alert carries: none on a drill. A silent alarm is a check-in of its
    own, which carries the details of the one she has running: their notes too."""
    if checkin.drill is not None:
        return []
    found = await work.notes.of_checkin(checkin.id)
    if checkin.alarm in HIDDEN_ALARMS:
        running = await work.checkins.open_for(checkin.member_id)
        if running is not None and running.id != checkin.id and running.drill is None:
            found += await work.notes.of_checkin(running.id)
    return found


async def _alerted(work: Work, checkin: CheckIn) -> bool:
    """Her contacts were alerted already: for this check-in, or by a silent alarm on."""
    if checkin.status == Status.ALERTED:
        return True
    return any(
        other.alarm in HIDDEN_ALARMS and other.status == Status.ALERTED and other.drill is None
        for other in await work.checkins.all_open_for(checkin.member_id)
    )


async def send_pins(work: Work, told: Notification, notes: list[PartnerNote]) -> None:
    """The notes' pins, right after the message that names them (and her own pin)."""
    for number, note in enumerate(notes, start=1):
        if note.location is not None:
            await send_pin(work, told, note.location, number)


async def send_pin(work: Work, told: Notification, point: Location, number: int) -> None:
    """A note's pin, right after `told`, as urgent as it."""
    follows = f"{told.idempotency_key}:note{number}"
    await work.notify(
        AlertLocation(told.recipient_id, point.latitude, point.longitude, told.priority, follows)
    )


async def forget_author(work: Work, member_id: str) -> int:
    """She used /forget: every note she wrote goes. Returns how many."""
    return await work.notes.drop_by(member_id)
