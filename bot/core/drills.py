"""Drills (/simulacro): she rehearses an alarm (a missed check-in, an SOS, her code word,
her duress PIN, three wrong PINs) on a check-in of 1 minute with a 10-second grace, through
the real flow: her chat shows what it would show in earnest. Her contacts get the real
alert marked as a drill ("Recibido", not "Me encargo"), and so do her shift partners, or
nothing at all when she chose to see it alone; afterwards she gets a report.

A drill rehearses one alarm, once. Any other alarm while it runs, or a second one, is real:
it ends the drill (the check-in is hers as any other from then on) and goes out unmarked,
at its own priority. The drill's marker is sealed in the check-in's state."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

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
    return replace(checkin, drill=None, drill_private=False, drill_acks=(), drill_acked_at=())


@dataclass(frozen=True)
class _Receipt:
    """One person her drill's alert went to (a contact, or a shift partner): her name for
    them, the key of the alert sent to them, and when they answered «Recibido»."""

    name: str
    key: str
    answered: bool
    answered_at: datetime | None


async def report(work: Work, checkin: CheckIn) -> None:
    """Her report on a drill whose alert went out, once it ended (`checkin` as it was before:
    a private drill's preview needs its details). It waits for the alert's delivery to each
    recipient, so that it says when each one received it: while one is still to go, the
    drill is looked at again in `timers.DRILL_REPORT_RETRY`, and at the latest
    `timers.DRILL_REPORT_LATEST` after the alert the report goes, "—" for who has not
    received it yet. Who answered, and when; who could not be reached and what to do; when
    nobody was sent anything, the alert as they would have read it."""
    from bot.core.alerts import advice_for, alert_for  # here: no import cycle at start

    if checkin.drill is None or checkin.alerted_at is None:
        return
    worker = await work.members.get(checkin.member_id)
    stored = await work.checkins.get(checkin.id)
    if worker is None or stored is None:
        return
    now = work.clock.now()
    receipts, unreachable = await _receipts(work, worker, checkin)
    deliveries = await work.outbox.deliveries([r.key for r in receipts])
    waiting = any(d.pending for d in deliveries.values())
    if waiting and now < checkin.alerted_at + timers.DRILL_REPORT_LATEST:
        await work.checkins.save(timers.drill_report_later(stored, now))
        return
    await work.checkins.save(timers.drill_reported(stored, work.policy))
    if now > checkin.alerted_at + timers.DRILL_REPORT_STALE:
        return  # long over: a report now would only confuse her

    def received(receipt: _Receipt) -> str:
        delivery = deliveries.get(receipt.key)
        sent_at = delivery.sent_at if delivery is not None else None
        return sent_at.isoformat() if sent_at is not None else ""

    answered = [r for r in receipts if r.answered]
    await work.notify(
        DrillReport(
            checkin.member_id,
            checkin_id=checkin.id,
            alarm=checkin.alarm or Alarm.MISSED,
            raised_at=checkin.alerted_at,
            private=checkin.drill_private,
            reached=[] if checkin.drill_private else [r.name for r in receipts],
            received=[] if checkin.drill_private else [received(r) for r in receipts],
            answered=[r.name for r in answered],
            answered_at=[r.answered_at.isoformat() if r.answered_at else "" for r in answered],
            unreachable=unreachable,
        )
    )
    if checkin.drill_private and not worker.discreet:  # discreet: nothing telling in her chat
        advice = await advice_for(work, worker.id)
        preview = alert_for(worker, checkin, worker.id, "self", advice)
        await work.notify(replace(preview, preview=True, drill=True))


async def _receipts(
    work: Work, worker: Member, checkin: CheckIn
) -> tuple[list[_Receipt], list[str]]:
    """Whom her drill's alert went to, with the key it was queued under (as `alert_contacts`
    and `alert_partners` queue it); and the names of her contacts it could not reach."""
    from bot.core.alerts import alert_for

    answered_at = dict(zip(checkin.drill_acks, checkin.drill_acked_at, strict=False))

    def receipt(name: str, recipient_id: str, link_id: str, ack: str) -> _Receipt:
        key = alert_for(worker, checkin, recipient_id, link_id, None).idempotency_key
        return _Receipt(name, key, ack in checkin.drill_acks, answered_at.get(ack))

    receipts, unreachable = [], []
    contacts = await work.contacts.of_worker(worker.id)
    for contact in contacts:
        name = await _name(work, contact)
        if contact.unreachable_at is not None:
            unreachable.append(name)
        else:
            receipts.append(receipt(name, contact.contact_id, contact.id, contact.id))
    contact_ids = {c.contact_id for c in contacts}
    for partner in await shifts.partners_now(work, worker.id):  # as alert_partners
        if partner.member_id in contact_ids:
            continue
        link = f"partner-{partner.member_id}"  # a partner's "Recibido": her member id
        receipts.append(receipt(partner.alias, partner.member_id, link, partner.member_id))
    return receipts, unreachable
