"""Check-in use cases: start, details, safe, extend, acknowledge an alert."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.core import shifts, timers
from bot.core.context import Refused, Work
from bot.core.notifications import AlertAcknowledged, AlertResolved
from bot.core.records import HIDDEN_ALARMS, CheckIn, Contact, Location, Member, new_id
from bot.core.timers import Status

MAX_DETAILS = 3000


@dataclass(frozen=True)
class Started:
    checkin: CheckIn
    contacts: int
    truncated: bool


@dataclass(frozen=True)
class Ended:
    """A check-in stopped or extended; `was_alerted`: it had been alerted and her contacts
    (at least one) are now told she answered, as her reply says."""

    checkin: CheckIn
    was_alerted: bool


@dataclass(frozen=True)
class Acknowledged:
    worker_alias: str
    first: bool
    by_label: str
    drill: bool = False  # "Recibido" on a drill's alert


def _bounded_details(text: str | None) -> tuple[str | None, bool]:
    if text is None or not text.strip():
        return None, False
    text = text.strip()
    return text[:MAX_DETAILS], len(text) > MAX_DETAILS


async def start_checkin(
    work: Work,
    member: Member,
    duration: timedelta,
    details: str | None = None,
    location: Location | None = None,
) -> Started | Refused:
    """Start her timer now; details and a location pin may come now or later."""
    text, truncated = _bounded_details(details)
    running = await work.checkins.open_for(member.id)
    if running is not None and running.drill is not None:
        await end_drill(work, running)  # a real check-in never waits for a drill
        running = None
    if running is not None:
        return Refused("checkin.error.running", {"checkin_id": running.id})
    checkin = timers.start(
        new_id(), member.id, work.clock.now(), duration, work.policy, text, location
    )
    await work.checkins.add(checkin)
    await shifts.checkin_changed(work, member.id)
    await shifts.checkin_started(work, checkin)
    contacts = await work.contacts.count_of_worker(member.id)
    return Started(checkin, contacts, truncated)


async def add_details(
    work: Work, member: Member, checkin_id: str, text: str | None, location: Location | None
) -> Started | Refused:
    """Add free text (appended) or a location pin (replaces the last) to her running check-in."""
    checkin = await _open(work, member, checkin_id)
    if isinstance(checkin, Refused):
        return checkin
    joined = "\n".join(part for part in (checkin.details, text) if part) or None
    bounded, truncated = _bounded_details(joined)
    checkin = replace(checkin, details=bounded, location=location or checkin.location)
    await work.checkins.save(checkin)
    contacts = await work.contacts.count_of_worker(member.id)
    return Started(checkin, contacts, truncated)


async def _open(work: Work, member: Member, checkin_id: str | None) -> CheckIn | Refused:
    checkin = await work.checkins.open_for(member.id)
    if checkin is None:
        return Refused("checkin.error.none" if checkin_id is None else "checkin.error.stale")
    if checkin_id is not None and checkin.id != checkin_id:
        return Refused("checkin.error.stale")
    return checkin


async def check_in_safe(
    work: Work, member: Member, checkin_id: str | None = None
) -> Ended | Refused:
    """She is safe: the timer stops, the details are destroyed, alerted contacts are told."""
    checkin = await _open(work, member, checkin_id)
    if isinstance(checkin, Refused):
        return checkin
    was_alerted = checkin.status == Status.ALERTED
    ended = timers.mark_safe(checkin, work.clock.now(), work.policy)
    await work.checkins.save(ended)
    await work.checkins.erase_details(ended.id)
    await shifts.checkin_changed(work, member.id)
    told = await tell_contacts_resolved(work, member, checkin, None) if was_alerted else 0
    if was_alerted and checkin.drill is not None:
        await _drill_report(work, checkin)
    return Ended(ended, told > 0)


async def end_drill(work: Work, drill: CheckIn) -> None:
    """A drill's check-in ends (its report goes if its alert went out)."""
    await work.checkins.save(timers.mark_safe(drill, work.clock.now(), work.policy))
    await work.checkins.erase_details(drill.id)
    if drill.status == Status.ALERTED:
        await _drill_report(work, drill)


async def _drill_report(work: Work, drill: CheckIn) -> None:
    from bot.core.drills import report  # here: drills builds on this module

    await report(work, drill)


async def extend_checkin(
    work: Work, member: Member, by: timedelta, checkin_id: str | None = None
) -> Ended | Refused:
    """More time; after an alert it also tells her contacts she answered."""
    checkin = await _open(work, member, checkin_id)
    if isinstance(checkin, Refused):
        return checkin
    was_alerted = checkin.status == Status.ALERTED
    if (
        was_alerted
        and (await work.safety.settings(member.id)).has_pins
        and any(c.unreachable_at is None for c in await work.contacts.of_worker(member.id))
    ):
        # More time would stand her contacts down without her PIN (with nobody to stand
        # down, it is only more time, and its refusal would claim someone was alerted).
        return Refused("pin.error.extend_after_alert", {"checkin_id": checkin.id})
    extended = timers.extend(checkin, by, work.clock.now(), work.policy)
    await work.checkins.save(extended)
    await shifts.checkin_changed(work, member.id)
    told = await tell_contacts_resolved(work, member, checkin, extended) if was_alerted else 0
    return Ended(extended, told > 0)


async def _name(work: Work, contact: Contact | None) -> str:
    """The worker's name for a contact, else the contact's own alias; "" when neither."""
    if contact is None:
        return ""
    if contact.label:
        return contact.label
    member = await work.members.get(contact.contact_id)
    return (member.alias if member else None) or ""


async def tell_contacts_resolved(
    work: Work, member: Member, alerted: CheckIn, extended: CheckIn | None
) -> int:
    """Her reachable contacts are told she answered; returns how many (none: her reply
    must not say they were told)."""
    assert alerted.alerted_at is not None
    told = 0
    for contact in await work.contacts.of_worker(member.id):
        if contact.unreachable_at is not None:
            continue
        told += 1
        if alerted.drill_private:  # a drill she saw alone: they were never alerted
            continue
        await work.notify(
            AlertResolved(
                contact.contact_id,
                alias=member.alias or "",
                address=str(member.address),
                checkin_id=alerted.id,
                raised_at=alerted.alerted_at,
                link_id=contact.id,
                until=extended.deadline_at if extended is not None else None,
            ),
        )
    return told


def drill_answered(checkin: CheckIn, who: str, now: datetime) -> CheckIn:
    """Her drill after `who` answered «Recibido» at `now`, for her report."""
    return replace(
        checkin,
        drill_acks=(*checkin.drill_acks, who),
        drill_acked_at=(*checkin.drill_acked_at, now),
    )


async def acknowledge_alert(
    work: Work, contact_member: Member, checkin_id: str
) -> Acknowledged | Refused:
    """A contact presses "I'm on it": the first one is named to the others; repeats stop."""
    checkin = await work.checkins.get(checkin_id)
    if checkin is None or checkin.status != Status.ALERTED:
        return Refused("alert.ack.stale")
    me = await work.contacts.find(checkin.member_id, contact_member.id)
    if me is None and checkin.drill is not None:  # a shift partner's "Recibido"?
        return await _partner_received(work, contact_member, checkin)
    if me is None:
        return Refused("alert.ack.stale")
    worker = await work.members.get(checkin.member_id)
    alias = worker.alias or "" if worker else ""
    if checkin.drill is not None:  # "Recibido": counted for her report, nobody else told
        if me.id not in checkin.drill_acks:
            await work.checkins.save(drill_answered(checkin, me.id, work.clock.now()))
        return Acknowledged(alias, True, "", drill=True)
    if checkin.acknowledged_by is not None:
        first = await work.contacts.get(checkin.acknowledged_by)
        mine = first is not None and first.id == me.id
        return Acknowledged(alias, mine, await _name(work, first))
    await work.checkins.save(timers.acknowledge(checkin, me.id, work.policy))
    my_label = me.label or contact_member.alias or ""
    for other in await work.contacts.of_worker(checkin.member_id):
        if other.id == me.id:
            continue
        await work.notify(
            AlertAcknowledged(
                other.contact_id, alias, my_label, checkin_id=checkin.id, link_id=other.id
            ),
        )
    return Acknowledged(alias, True, my_label)


async def _partner_received(
    work: Work, partner: Member, checkin: CheckIn
) -> Acknowledged | Refused:
    """A shift partner's "Recibido" on her drill: counted for her report (by the partner's
    member id), nobody else told."""
    partners = {p.member_id: p for p in await shifts.partners_now(work, checkin.member_id)}
    if partner.id not in partners:
        return Refused("alert.ack.stale")
    if partner.id not in checkin.drill_acks:
        await work.checkins.save(drill_answered(checkin, partner.id, work.clock.now()))
    worker = await work.members.get(checkin.member_id)
    return Acknowledged((worker.alias if worker else None) or "", True, "", drill=True)


@dataclass(frozen=True)
class LatestLocation:
    worker_alias: str
    location: Location


async def move_location(work: Work, member: Member, location: Location) -> bool:
    """Her newest point (a pin, or a live location that moved) replaces the last one in
    every check-in of hers that is not over; True when one she can see got it."""
    point = replace(location, at=work.clock.now())
    running = await work.checkins.all_open_for(member.id)
    for checkin in running:
        await work.checkins.set_location(checkin.id, point)
    return any(checkin.alarm not in HIDDEN_ALARMS for checkin in running)


async def latest_location(
    work: Work, contact_member: Member, checkin_id: str
) -> LatestLocation | Refused:
    """Her last point, for one of her contacts while the alert is on."""
    checkin = await work.checkins.get(checkin_id)
    if checkin is None or checkin.status != Status.ALERTED:
        return Refused("alert.ack.stale")
    if await work.contacts.find(checkin.member_id, contact_member.id) is None:
        return Refused("alert.ack.stale")
    worker = await work.members.get(checkin.member_id)
    alias = (worker.alias if worker else None) or ""
    if checkin.location is None:
        return Refused("alert.location.none", {"alias": alias})
    return LatestLocation(alias, checkin.location)


async def open_checkin(work: Work, member: Member) -> CheckIn | None:
    """Her running check-in, if any."""
    return await work.checkins.open_for(member.id)


async def silent_alarm_running(work: Work, member: Member) -> bool:
    """An alarm her chat must not give away is on (records.HIDDEN_ALARMS: a code word, a
    duress PIN, ...). Until it is over, nothing in her chat may follow from it, such as a
    contact its alert found unreachable."""
    return any(
        checkin.alarm in HIDDEN_ALARMS and checkin.status == Status.ALERTED
        for checkin in await work.checkins.all_open_for(member.id)
    )
