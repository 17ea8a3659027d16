"""Alerting her contacts: one message each with her details, then her last location."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.context import Work
from bot.core.notifications import Alert, AlertSent
from bot.core.records import CheckIn, Member
from bot.core.timers import Alarm

if TYPE_CHECKING:
    from bot.core.network_config import AlertAdvice


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
    reached = 0
    for contact in await work.contacts.of_worker(worker.id):
        if contact.unreachable_at is not None:
            continue
        reached += 1
        if checkin.drill_private:  # a drill she sees alone: in her report, nobody else
            continue
        alert = alert_for(worker, checkin, contact.contact_id, contact.id, advice)
        await work.notify(alert)
        if checkin.location is not None:
            point = checkin.location
            await work.notify(alert.location(point.latitude, point.longitude))
    if alarm == Alarm.MISSED and checkin.alerts_sent == 1:
        await work.notify(
            AlertSent(
                worker.id, checkin_id=checkin.id, contacts=reached, raised_at=checkin.alerted_at
            )
        )
    return reached


def alert_for(
    worker: Member,
    checkin: CheckIn,
    recipient_id: str,
    link_id: str,
    advice: AlertAdvice | None,
) -> Alert:
    """The alert of the check-in's current round, for one recipient; a drill's is marked."""
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
        drill=checkin.drill is not None,
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
