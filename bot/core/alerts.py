"""Alerting her contacts: one message each with her details, then her last location."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.core import notes as partner_notes
from bot.core import shifts
from bot.core.context import Work
from bot.core.notifications import Alert, AlertSent, DetentionNotice
from bot.core.notifications.shifts import note_line
from bot.core.records import DETENTION_ALARMS, Alarm, CheckIn, Member, PartnerNote

if TYPE_CHECKING:
    from bot.core.network_config import AlertAdvice, LegalSupport


async def alert_contacts(work: Work, checkin: CheckIn) -> int:
    """Alert every reachable contact for the check-in's current round; returns how many.

    Keys name the round (its time and repeat number), so that writing the same round twice
    queues nothing new, and a new round (an SOS after a missed check-in) always goes out.
    Only a missed check-in is told to her: an SOS, a code word and above all a duress PIN
    leave nothing in her chat that shows an alarm went out.
    """
    assert checkin.alerted_at is not None
    worker = await work.members.get(checkin.member_id)
    if worker is None:
        return 0
    alarm = checkin.alarm or Alarm.MISSED
    advice = await advice_for(work, worker.id)
    legal = await legal_for(work, worker.id) if alarm in DETENTION_ALARMS else None
    notes = await partner_notes.for_alert(work, checkin)
    reached = 0
    for contact in await work.contacts.of_worker(worker.id):
        if contact.unreachable_at is not None:
            continue
        reached += 1
        if checkin.drill_private:  # a drill she sees alone: in her report, nobody else
            continue
        alert = alert_for(worker, checkin, contact.contact_id, contact.id, advice, legal, notes)
        await work.notify(alert)
        if checkin.location is not None:
            point = checkin.location
            await work.notify(alert.location(point.latitude, point.longitude))
        await partner_notes.send_pins(work, alert, notes)
    await alert_partners(work, worker, checkin, advice, legal, notes)
    if alarm in DETENTION_ALARMS and checkin.alerts_sent == 1:
        await tell_legal_support(work, worker, checkin)
    if alarm == Alarm.MISSED and checkin.alerts_sent == 1:
        await work.notify(
            AlertSent(
                worker.id, checkin_id=checkin.id, contacts=reached, raised_at=checkin.alerted_at
            )
        )
    return reached


async def alert_partners(
    work: Work,
    worker: Member,
    checkin: CheckIn,
    advice: AlertAdvice | None,
    legal: LegalSupport | None = None,
    notes: Sequence[PartnerNote] = (),
) -> list[shifts.Partner]:
    """Her shift partners, close by, get the same round as her contacts, at once, with
    "🏃 Voy" (a drill's marked, with "Recibido"). Her details and location only if she chose
    to share them with partners; else her alias, the alarm and its time. Not a missed
    check-in: they heard it at her deadline (`shifts.deadline_passed`). Nothing for a drill
    she sees alone, nor for a partner who is also her contact (she gets the contact's).
    The partners' own `notes` go with it whatever she shares: they are what partners saw.
    Returns the partners reached. Nothing here reaches her own chat."""
    if checkin.drill_private:
        return []
    if (checkin.alarm or Alarm.MISSED) == Alarm.MISSED and checkin.drill is None:
        return []
    contacts = {c.contact_id for c in await work.contacts.of_worker(worker.id)}
    partners = [
        p for p in await shifts.partners_now(work, worker.id) if p.member_id not in contacts
    ]
    for partner in partners:
        link = f"partner-{partner.member_id}"
        alert = alert_for(worker, checkin, partner.member_id, link, advice, legal, notes)
        alert = replace(alert, partner=True)
        if not worker.share_partners:
            alert = replace(alert, details="", has_location=False, location_at=None)
        await work.notify(alert)
        if alert.has_location and checkin.location is not None:
            point = checkin.location
            await work.notify(alert.location(point.latitude, point.longitude))
        await partner_notes.send_pins(work, alert, list(notes))
    return partners


def alert_for(
    worker: Member,
    checkin: CheckIn,
    recipient_id: str,
    link_id: str,
    advice: AlertAdvice | None,
    legal: LegalSupport | None = None,
    notes: Sequence[PartnerNote] = (),
) -> Alert:
    """The alert of the check-in's current round, for one recipient; a drill's is marked.
    Her shift partners' `notes` go with her details."""
    assert checkin.alerted_at is not None
    return Alert(
        recipient_id,
        checkin_id=checkin.id,
        alias=worker.alias or "",
        address=str(worker.address),
        started_at=checkin.started_at,
        deadline=checkin.deadline_at,
        link_id=link_id,
        alarm=checkin.alarm or Alarm.MISSED,
        raised_at=checkin.alerted_at,
        had_checkin=checkin.deadline_at > checkin.started_at,  # not an SOS on its own
        details=checkin.details or "",
        repeat=checkin.alerts_sent - 1,
        has_location=checkin.location is not None,
        location_at=checkin.location.at if checkin.location else None,
        advice=dict(advice.advice) if advice else {},
        emergency_number=(advice.emergency_number or "") if advice else "",
        legal_contact=legal.contact if legal else "",
        legal_hours=(legal.hours or "") if legal else "",
        legal_rights=dict(legal.rights) if legal else {},
        drill=checkin.drill is not None,
        notes=[note_line(note) for note in notes],
    )


async def advice_for(work: Work, worker_id: str) -> AlertAdvice | None:
    """What her contacts are told to do: the `alerts:` section of the first of her networks
    (in the order she joined them) that has one; else the deployment's (ALERT_ADVICE); else
    None, and the catalog's words, which name no emergency number."""
    # Here, not at the top: network_config reads phrases as bot.core.safety does, which
    # alerts through this module.
    from bot.core.network_config import ConfigInvalid, config_from_json

    for membership in await work.networks.memberships_of(worker_id):
        network = await work.networks.get(membership.network_id)
        if network is None:
            continue
        try:
            alerts = config_from_json(network.config).alerts
        except ConfigInvalid:  # an alert goes out whatever a network's configuration says
            continue
        if alerts is not None:
            return alerts
    return work.limits.alert_advice


async def legal_for(work: Work, worker_id: str) -> LegalSupport | None:
    """What her contacts are told to do when the police hold her: the `legal:` section of the
    first of her networks that has one; else None, and the catalog's words (her organisation
    or a lawyer, never the police)."""
    from bot.core.network_config import ConfigInvalid, config_from_json

    for membership in await work.networks.memberships_of(worker_id):
        network = await work.networks.get(membership.network_id)
        if network is None:
            continue
        try:
            legal = config_from_json(network.config).legal
        except ConfigInvalid:
            continue
        if legal is not None:
            return legal
    return None


async def tell_legal_support(work: Work, worker: Member, checkin: CheckIn) -> int:
    """The coordinators of her networks who chose to be legal support are told, with her
    alias only (no details, no location), once per alarm; returns how many."""
    from bot.core.network_config import ConfigInvalid, config_from_json

    assert checkin.alerted_at is not None
    told: set[str] = {worker.id}
    for membership in await work.networks.memberships_of(worker.id):
        network = await work.networks.get(membership.network_id)
        if network is None:
            continue
        try:
            legal = config_from_json(network.config).legal
        except ConfigInvalid:
            legal = None
        for coordinator in await work.networks.coordinators_of(network.id):
            if coordinator.member_id in told:
                continue
            member = await work.members.get(coordinator.member_id)
            if member is None or not member.legal_support:
                continue
            told.add(member.id)
            await work.notify(
                DetentionNotice(
                    member.id,
                    alias=worker.alias or "",
                    network=network.name,
                    raised_at=checkin.alerted_at,
                    checkin_id=checkin.id,
                    address=str(worker.address),
                    legal_contact=legal.contact if legal else "",
                    legal_hours=(legal.hours or "") if legal else "",
                    legal_rights=dict(legal.rights) if legal else {},
                )
            )
    return len(told) - 1
