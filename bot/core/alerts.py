"""Alerting her contacts: one message each with her details, then her last location."""

from __future__ import annotations

from bot.core.context import Work
from bot.core.notifications import Alert, AlertSent
from bot.core.records import CheckIn
from bot.core.timers import Alarm


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
    reached = 0
    for contact in await work.contacts.of_worker(worker.id):
        if contact.unreachable_at is not None:
            continue
        reached += 1
        alert = Alert(
            contact.contact_id,
            checkin_id=checkin.id,
            alias=worker.alias or "",
            started_at=checkin.started_at,
            deadline=checkin.deadline_at,
            link_id=contact.id,
            alarm=alarm,
            raised_at=checkin.alerted_at,
            had_checkin=checkin.deadline_at > checkin.started_at,  # not an SOS on its own
            details=checkin.details or "",
            repeat=checkin.alerts_sent - 1,
            has_location=checkin.location is not None,
            location_at=checkin.location.at if checkin.location else None,
        )
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
