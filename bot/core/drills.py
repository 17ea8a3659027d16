"""Drills (/simulacro): she rehearses an alarm (a missed check-in, an SOS, her code word,
her duress PIN, three wrong PINs) on a check-in of 1 minute with a 10-second grace, through
the real flow: her chat shows what it would show in earnest. Her contacts get the real
alert marked as a drill ("Recibido", not "Me encargo"), and so do her shift partners, or
nothing at all when she chose to see it alone; afterwards she gets a report.

A drill rehearses one alarm, once. Any other alarm while it runs, or a second one, is real:
it ends the drill (the check-in is hers as any other from then on) and goes out unmarked,
at its own priority. The drill's marker is sealed in the check-in's state."""

from __future__ import annotations

from dataclasses import replace

from bot.core import shifts, timers
from bot.core.checkins import Started, _name
from bot.core.context import Refused, Work
from bot.core.notifications import DrillReport
from bot.core.records import Alarm, CheckIn, Member, Status, new_id

KINDS = (Alarm.MISSED, Alarm.SOS, Alarm.CODEWORD, Alarm.DURESS, Alarm.PIN_FAILED)
_SAME = {Alarm.SILENT_SOS: Alarm.SOS}  # /sos in discreet mode rehearses the SOS


async def start_drill(
    work: Work, member: Member, alarm: Alarm, private: bool
) -> Started | Refused:
    """A drill's check-in of `timers.DRILL_DURATION`; refused while a check-in of hers runs
    (a drill must never stand in for it)."""
    if alarm not in KINDS:
        return Refused("drill.error.stale")
    if await work.checkins.open_for(member.id) is not None:
        return Refused("drill.error.running")
    now = work.clock.now()
    checkin = timers.start(new_id(), member.id, now, timers.DRILL_DURATION, work.policy)
    checkin = replace(checkin, drill=alarm, drill_private=private)
    await work.checkins.add(checkin)
    return Started(checkin, await work.contacts.count_of_worker(member.id), False)


def real_unless_rehearsed(checkin: CheckIn, alarm: Alarm) -> CheckIn:
    """The check-in an alarm is raised on: a drill's own, for the alarm it rehearses and
    before it went off; else real (the drill's marker gone), so that a real alarm during a
    drill is never taken for it."""
    if checkin.drill is None:
        return checkin
    if checkin.status == Status.ACTIVE and checkin.drill == _SAME.get(alarm, alarm):
        return checkin
    return replace(checkin, drill=None, drill_private=False, drill_acks=())


async def report(work: Work, checkin: CheckIn) -> None:
    """Her report, once the drill's alert went out: who it went to, who answered, who could
    not be reached; when nobody was sent anything, the alert as they would have read it."""
    from bot.core.alerts import advice_for, alert_for  # here: no import cycle at start

    if checkin.drill is None or checkin.alerted_at is None:
        return
    reached, answered, unreachable = [], [], []
    for contact in await work.contacts.of_worker(checkin.member_id):
        name = await _name(work, contact)
        if contact.unreachable_at is not None:
            unreachable.append(name)
            continue
        reached.append(name)
        if contact.id in checkin.drill_acks:
            answered.append(name)
    contact_ids = {c.contact_id for c in await work.contacts.of_worker(checkin.member_id)}
    for partner in await shifts.partners_now(work, checkin.member_id):  # as alert_partners
        if partner.member_id in contact_ids:
            continue
        reached.append(partner.alias)
        if partner.member_id in checkin.drill_acks:  # a partner's "Recibido": her member id
            answered.append(partner.alias)
    await work.notify(
        DrillReport(
            checkin.member_id,
            checkin_id=checkin.id,
            alarm=checkin.alarm or Alarm.MISSED,
            raised_at=checkin.alerted_at,
            private=checkin.drill_private,
            reached=[] if checkin.drill_private else reached,
            answered=answered,
            unreachable=unreachable,
        )
    )
    if checkin.drill_private:
        worker = await work.members.get(checkin.member_id)
        if worker is not None and not worker.discreet:  # discreet: nothing telling in her chat
            advice = await advice_for(work, worker.id)
            preview = alert_for(worker, checkin, worker.id, "self", advice)
            await work.notify(replace(preview, preview=True, drill=True))
