"""Alerting her contacts: one message each with her details, then her last location."""

from __future__ import annotations

from bot.core.context import Work
from bot.core.notifications import Notification, Priority
from bot.core.records import CheckIn
from bot.core.timers import Alarm


def priority_of(alarm: str | None) -> Priority:
    """A missed check-in first; an alarm she raised herself right after (the design's order)."""
    return Priority.ALERT if alarm in (None, Alarm.MISSED) else Priority.SOS


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
    round_name = "alert" if alarm == Alarm.MISSED else str(alarm)
    stamp = int(checkin.alerted_at.timestamp())
    prefix = f"{checkin.id}:{stamp}:{round_name}:{checkin.alerts_sent}"
    priority = priority_of(alarm)
    params = {
        "checkin_id": checkin.id,
        "alarm": str(alarm),
        "alias": worker.alias or "",
        "started_at": checkin.started_at.isoformat(),
        "deadline": checkin.deadline_at.isoformat(),
        "raised_at": checkin.alerted_at.isoformat(),
        "had_checkin": checkin.deadline_at > checkin.started_at,  # not an SOS on its own
        "details": checkin.details or "",
        "repeat": checkin.alerts_sent - 1,
        "has_location": checkin.location is not None,
        "location_at": (
            checkin.location.at.isoformat() if checkin.location and checkin.location.at else ""
        ),
    }
    reached = 0
    for contact in await work.contacts.of_worker(worker.id):
        if contact.unreachable_at is not None:
            continue
        reached += 1
        key = f"{prefix}:{contact.id}"
        await work.notify(Notification(contact.contact_id, "alert", priority, key, params))
        if checkin.location is not None:
            point = {
                "latitude": checkin.location.latitude,
                "longitude": checkin.location.longitude,
            }
            await work.notify(
                Notification(
                    contact.contact_id, "alert.location", priority, f"{key}:location", point
                ),
            )
    if alarm == Alarm.MISSED and checkin.alerts_sent == 1:
        await work.notify(
            Notification(
                worker.id,
                "checkin.alert_sent",
                Priority.REMINDER,
                f"{prefix}:worker",
                {"checkin_id": checkin.id, "contacts": reached},
            ),
        )
    return reached
