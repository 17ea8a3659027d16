"""Shift partners: two to four workers close by, for one shift. One starts it and hands out
single-use links; each joiner accepts; a shift ends when its last member leaves, or when its
time is over, and then nothing of it is kept."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.context import Refused, Work
from bot.core.notifications.checkins import AlertLocation
from bot.core.notifications.shifts import (
    PartnerBusy,
    PartnerGoing,
    PartnerOverdue,
    ShiftEnded,
    ShiftJoined,
    ShiftLeft,
    ShiftStatus,
    note_line,
    status_key,
)
from bot.core.records import HIDDEN_ALARMS, CheckIn, Member, Shift, ShiftPass, Status

MAX_MEMBERS = 4
PASS_TTL = timedelta(hours=1)
SHIFT_LENGTH = timedelta(hours=12)


@dataclass(frozen=True)
class Partner:
    """Another member of her shift, as partners see her: her alias only."""

    member_id: str
    alias: str
    address: str
    language: str


@dataclass(frozen=True)
class ShiftLink:
    token: str
    expires_at: datetime
    started: bool  # a new shift (else a new link to hers)


@dataclass(frozen=True)
class ShiftOffer:
    pass_id: str
    aliases: list[str]  # who is in it


@dataclass(frozen=True)
class AliasNeeded:
    """She must choose an alias first: her partners would not know who she is."""


def new_token() -> str:
    """192 random bits, URL-safe; fits Telegram's start parameter with its prefix."""
    return secrets.token_urlsafe(24)


async def partners_now(work: Work, member_id: str) -> list[Partner]:
    """The other members of the shift she is in now (none when she is in none), by alias:
    whom her alarms reach besides her contacts. For other features (a detention alarm, a
    drill)."""
    shift = await work.shifts.of_member(member_id, work.clock.now())
    if shift is None:
        return []
    partners = []
    for other_id in await work.shifts.member_ids(shift.id):
        if other_id == member_id:
            continue
        other = await work.members.get(other_id)
        if other is not None:
            partners.append(Partner(other.id, other.alias or "", other.address, other.language))
    return sorted(partners, key=lambda partner: partner.alias)


async def new_link(work: Work, member: Member) -> ShiftLink | Refused:
    """A single-use link to her shift, starting one if she is in none."""
    now = work.clock.now()
    shift = await work.shifts.of_member(member.id, now)
    started = shift is None
    if shift is None:
        shift = await work.shifts.add(now, now + SHIFT_LENGTH)
        await work.shifts.join(shift.id, member.id, now)
    elif len(await work.shifts.member_ids(shift.id)) >= MAX_MEMBERS:
        return Refused("shift.error.full")
    if started:
        await refresh_status(work, shift.id)
    token = new_token()
    expires_at = min(now + PASS_TTL, shift.ends_at)
    await work.shifts.add_pass(shift.id, token, expires_at)
    return ShiftLink(token, expires_at, started)


async def _usable(
    work: Work, found: ShiftPass | None, visitor: Member
) -> tuple[ShiftPass, Shift, list[str]] | Refused:
    now = work.clock.now()
    if found is None or found.expires_at <= now:
        return Refused("shift.error.invalid")
    shift = await work.shifts.get(found.shift_id)
    if shift is None or shift.ends_at <= now:
        return Refused("shift.error.invalid")
    member_ids = await work.shifts.member_ids(shift.id)
    if visitor.id in member_ids:
        return Refused("shift.error.already")
    if await work.shifts.of_member(visitor.id, now) is not None:
        return Refused("shift.error.other")
    if len(member_ids) >= MAX_MEMBERS:
        return Refused("shift.error.full")
    return found, shift, member_ids


async def _aliases(work: Work, member_ids: list[str]) -> list[str]:
    members = [await work.members.get(member_id) for member_id in member_ids]
    return sorted(m.alias or "" for m in members if m is not None)


async def open_link(work: Work, token: str, visitor: Member) -> ShiftOffer | Refused:
    """What she sees when she opens a shift link: who is in it, and whether to join."""
    usable = await _usable(work, await work.shifts.find_pass(token), visitor)
    if isinstance(usable, Refused):
        return usable
    found, _shift, member_ids = usable
    return ShiftOffer(found.id, await _aliases(work, member_ids))


async def accept(
    work: Work, pass_id: str, visitor: Member
) -> list[Partner] | Refused | AliasNeeded:
    """She joins: the link is used up and the others are told, by her alias. Returns her
    partners."""
    usable = await _usable(work, await work.shifts.get_pass(pass_id), visitor)
    if isinstance(usable, Refused):
        return usable
    found, shift, _member_ids = usable
    if not visitor.alias:
        return AliasNeeded()
    if not await work.shifts.use_pass(found.id):
        return Refused("shift.error.invalid")
    await work.shifts.join(shift.id, visitor.id, work.clock.now())
    partners = await partners_now(work, visitor.id)
    await refresh_status(work, shift.id)
    for partner in partners:
        await work.notify(
            ShiftJoined(
                partner.member_id,
                visitor.alias,
                visitor.address,
                shift_id=shift.id,
                about_id=visitor.id,
            )
        )
    return partners


async def decline(work: Work, pass_id: str, visitor: Member) -> Refused | None:
    """She says no: the link is used up; nobody is told."""
    found = await work.shifts.get_pass(pass_id)
    if found is None:
        return Refused("shift.error.invalid")
    await work.shifts.use_pass(found.id)
    return None


async def leave(work: Work, member: Member) -> Refused | None:
    """She leaves her shift; the others are told. The last one out ends it: nothing of it
    is kept."""
    shift = await work.shifts.of_member(member.id, work.clock.now())
    if shift is None:
        return Refused("shift.error.none")
    await work.shifts.leave(shift.id, member.id)
    remaining = await work.shifts.member_ids(shift.id)
    if not remaining:
        await work.shifts.delete(shift.id)
        return None
    await refresh_status(work, shift.id)
    for other_id in remaining:
        await work.notify(
            ShiftLeft(
                other_id,
                member.alias or "",
                member.address,
                shift_id=shift.id,
                about_id=member.id,
            )
        )
    return None


async def end_expired(work: Work, now: datetime) -> int:
    """Shifts whose 12 hours are over end: their members are told, and all of them goes.
    Returns how many ended."""
    ended = await work.shifts.ended(now)
    for shift in ended:
        for member_id in await work.shifts.member_ids(shift.id):
            await work.notify(ShiftEnded(member_id, shift_id=shift.id))
        await work.shifts.delete(shift.id)
    await work.shifts.purge_passes(now)
    return len(ended)


async def _status_lines(work: Work, member_ids: list[str], viewer_id: str) -> str:
    """One line per member, by alias: free, with a client until her deadline, or overdue;
    as `viewer_id` sees them. A drill is no client: it does not count. A silent alarm (a
    duress PIN, a code word...) keeps her busy for her partners, who were alerted: she is
    not free; in her own status it does not show, as nothing of it shows in her chat."""
    now = work.clock.now()
    lines = []
    for member_id in member_ids:
        member = await work.members.get(member_id)
        if member is None:
            continue
        state, until = "free", ""
        checkin = await work.checkins.open_for(member_id)
        if checkin is not None and checkin.drill is None:
            overdue = checkin.status != Status.ACTIVE or checkin.deadline_at <= now
            state, until = ("overdue" if overdue else "busy"), checkin.deadline_at.isoformat()
        elif member_id != viewer_id:
            hidden = await _hidden_alarm(work, member_id)
            if hidden is not None:
                # Her partners were alerted at once; her line stays as it was before it (busy
                # until her deadline), else says she needs someone.
                ahead = hidden.deadline_at > max(now, hidden.started_at)
                state = "busy" if ahead else "overdue"
                until = (hidden.deadline_at if ahead else hidden.alerted_at or now).isoformat()
        lines.append("\t".join((member.alias or "", member.address, state, until)))
    return "\n".join(sorted(lines))


async def _hidden_alarm(work: Work, member_id: str) -> CheckIn | None:
    """Her silent alarm that is on (not a drill's), if any."""
    for checkin in await work.checkins.all_open_for(member_id):
        if (
            checkin.alarm in HIDDEN_ALARMS
            and checkin.status == Status.ALERTED
            and checkin.drill is None
        ):
            return checkin
    return None


async def refresh_status(work: Work, shift_id: str, skip: str | None = None) -> int:
    """Every member's status message of the shift (but `skip`'s), sent once and then
    edited: one edit per change, never a new message each time (a new one only when the
    first was not sent yet). Returns how many were queued."""
    member_ids = await work.shifts.member_ids(shift_id)
    queued = 0
    for member_id in member_ids:
        if member_id == skip:
            continue
        lines = await _status_lines(work, member_ids, member_id)
        state = await work.shifts.state(shift_id, member_id)
        version = int(state.get("version", "-1")) + 1
        anchor = state.get("anchor")
        message_id = None
        if anchor is not None:
            message_id = await work.outbox.message_id_of(
                status_key(shift_id, member_id, int(anchor))
            )
        if message_id is None:
            anchor = str(version)  # a new message, edited from now on
        status = ShiftStatus(member_id, lines, edit=message_id, shift_id=shift_id, version=version)
        queued += await work.notify(status)
        await work.shifts.set_state(
            shift_id, member_id, {"version": str(version), "anchor": str(anchor)}
        )
    return queued


async def checkin_changed(work: Work, member_id: str) -> None:
    """She started, extended or ended a check-in, or it went overdue: her partners' status
    messages say so."""
    shift = await work.shifts.of_member(member_id, work.clock.now())
    if shift is not None:
        await refresh_status(work, shift.id)


async def alarm_raised(work: Work, member_id: str, silent: bool) -> None:
    """An alarm of hers went out (to her partners too): their status messages say she is
    not free. A silent one leaves her own status message alone: nothing in her chat may
    change because of it."""
    shift = await work.shifts.of_member(member_id, work.clock.now())
    if shift is not None:
        await refresh_status(work, shift.id, skip=member_id if silent else None)


def shared_details(member: Member, checkin: CheckIn) -> str:
    """Her details as her partners read them: only if she chose to share them."""
    return (checkin.details or "") if member.share_partners else ""


async def _shared_location(
    work: Work, member: Member, checkin: CheckIn, told: PartnerBusy | PartnerOverdue
) -> None:
    """Her pin after a partner notice, only if she chose to share her details."""
    if member.share_partners and checkin.location is not None:
        point = checkin.location
        follows = told.idempotency_key
        await work.notify(
            AlertLocation(
                told.recipient_id, point.latitude, point.longitude, told.priority, follows
            )
        )


async def deadline_passed(work: Work, checkin: CheckIn) -> int:
    """Her deadline passed without her word: her partners, close by, are told at once (they
    can knock on the door), with her details only if she chose to share them, and their
    status messages say she is overdue. Not for a drill.
    Returns how many partners were told."""
    if checkin.drill is not None:
        return 0
    shift = await work.shifts.of_member(checkin.member_id, work.clock.now())
    member = await work.members.get(checkin.member_id)
    if shift is None or member is None:
        return 0
    from bot.core.notes import send_pins  # here: notes builds on this module

    notes = await work.notes.of_checkin(checkin.id)
    partners = await partners_now(work, member.id)
    for partner in partners:
        overdue = PartnerOverdue(
            partner.member_id,
            member.alias or "",
            member.address,
            checkin.deadline_at,
            checkin_id=checkin.id,
            details=shared_details(member, checkin),
            notes=[note_line(note) for note in notes],
        )
        await work.notify(overdue)
        await _shared_location(work, member, checkin, overdue)
        await send_pins(work, overdue, notes)
    await refresh_status(work, shift.id)
    return len(partners)


async def going(work: Work, partner: Member, checkin_id: str) -> str | Refused:
    """A partner goes to see her: the other partners and her trusted contacts are told who.
    Returns her alias; refused to anyone not her partner now, or once the check-in is over."""
    checkin = await work.checkins.get(checkin_id)
    if checkin is None or checkin.status not in (Status.ACTIVE, Status.ALERTED):
        return Refused("shift.going.gone")
    partners = await partners_now(work, checkin.member_id)
    member = await work.members.get(checkin.member_id)
    if member is None or partner.id not in {p.member_id for p in partners}:
        return Refused("shift.going.gone")
    told = [p.member_id for p in partners if p.member_id != partner.id]
    told += [c.contact_id for c in await work.contacts.of_worker(member.id)]
    for recipient_id in told:
        await work.notify(
            PartnerGoing(
                recipient_id,
                partner.alias or "",
                member.alias or "",
                member.address,
                checkin_id=checkin.id,
                partner_id=partner.id,
            )
        )
    return member.alias or ""


async def checkin_started(work: Work, checkin: CheckIn) -> None:
    """She started a check-in during a shift: her partners are told at once, with her time,
    and her details only if she chose to share them with partners. Not for a drill."""
    if checkin.drill is not None:
        return
    member = await work.members.get(checkin.member_id)
    if member is None:
        return
    for partner in await partners_now(work, member.id):
        busy = PartnerBusy(
            partner.member_id,
            member.alias or "",
            member.address,
            checkin.deadline_at,
            checkin_id=checkin.id,
            details=shared_details(member, checkin),
        )
        await work.notify(busy)
        await _shared_location(work, member, checkin, busy)
