"""Check-ins and alerts: her reminders and their buttons; the alert her contacts receive,
its pin, and what follows it."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.core.notifications import (
    Alert,
    AlertAcknowledged,
    AlertLocation,
    AlertResolved,
    AlertSent,
    CheckinLastCall,
    CheckinReminder,
)
from bot.core.records import Alarm, Member
from bot.i18n import t, wording
from bot.telegram.common import keyboard
from bot.telegram.render.base import (
    Outgoing,
    Renderers,
    label_or_default,
    local_time,
    worker_name,
)


def checkin_buttons(
    language: str, checkin_id: str, discreet: bool = False
) -> InlineKeyboardMarkup:
    """I'm safe, +15 min, +30 min, +1 h, and SOS on a row of its own, last, away from "I'm
    safe": on every reminder and confirmation; with neutral labels in discreet mode."""
    return keyboard(
        [
            [(t(language, wording(language, "button.safe", discreet)), f"ck:safe:{checkin_id}")],
            [
                (t(language, "button.extend15"), f"ck:ext:{checkin_id}:15"),
                (t(language, "button.extend30"), f"ck:ext:{checkin_id}:30"),
                (t(language, "button.extend60"), f"ck:ext:{checkin_id}:60"),
            ],
            [(t(language, wording(language, "button.sos", discreet)), f"so:sos:{checkin_id}")],
        ]
    )


def reminder(reminder: CheckinReminder, to: Member) -> Outgoing:
    """The reminder, or the last call (`CheckinLastCall`), with her buttons."""
    lang = to.language
    text = t(
        lang,
        wording(lang, reminder.kind, to.discreet),
        deadline=local_time(to, reminder.deadline),
        alert_at=local_time(to, reminder.alert_at),
    )
    return Outgoing(text, checkin_buttons(lang, reminder.checkin_id, to.discreet))


def alert_sent(sent: AlertSent, to: Member) -> Outgoing:
    lang = to.language
    text = t(lang, wording(lang, sent.kind, to.discreet), contacts=sent.contacts)
    return Outgoing(text, checkin_buttons(lang, sent.checkin_id, to.discreet))


def alert(alert: Alert, to: Member) -> Outgoing:
    """The first line says what happened (missed, SOS, code word, duress PIN), in the
    contact's language; then times, details, the pin to come, and what to do."""
    lang, alarm = to.language, alert.alarm
    lines = [t(lang, f"alert.{alarm}.title", alias=worker_name(to, alert.alias))]
    if alert.repeat:
        lines[0] += " " + t(lang, "alert.missed.repeat", n=alert.repeat)
    times = {
        "started": local_time(to, alert.started_at),
        "deadline": local_time(to, alert.deadline),
    }
    if alarm == Alarm.MISSED:
        lines.append(t(lang, "alert.missed.times", **times))
    else:
        line = t(lang, "alert.raised_at", at=local_time(to, alert.raised_at or alert.started_at))
        if alert.had_checkin:
            line += "\n" + t(lang, "alert.had_checkin", **times)
        lines.append(line)
    lines.append(
        t(lang, "alert.missed.details", details=alert.details)
        if alert.details
        else t(lang, "alert.missed.no_details")
    )
    if alert.has_location and alert.location_at:
        lines.append(t(lang, "alert.location_follows_at", at=local_time(to, alert.location_at)))
    elif alert.has_location:
        lines.append(t(lang, "alert.missed.location_follows"))
    # After a code word or a duress PIN someone may be watching her phone: discreet advice.
    advice = {Alarm.MISSED: "alert.missed.what_to_do", Alarm.SOS: "alert.sos.what_to_do"}
    lines.append(t(lang, advice.get(alarm, "alert.duress.what_to_do")))
    buttons = keyboard(
        [
            [(t(lang, "button.on_it"), f"al:ack:{alert.checkin_id}")],
            [(t(lang, "button.latest_location"), f"al:loc:{alert.checkin_id}")],
        ]
    )
    return Outgoing("\n\n".join(lines), buttons, protect=True)


def fallback_alert(to: Member, alias: str = "") -> Outgoing:
    """A plain alert, for an alert that could not be written: better words than none."""
    if alias:
        return Outgoing(t(to.language, "alert.fallback.named", alias=alias), protect=True)
    return Outgoing(t(to.language, "alert.fallback"), protect=True)


def alert_location(location: AlertLocation, to: Member) -> Outgoing:
    return Outgoing(location=(location.latitude, location.longitude), protect=True)


def alert_resolved(resolved: AlertResolved, to: Member) -> Outgoing:
    lang, alias = to.language, worker_name(to, resolved.alias)
    if resolved.until is not None:
        until = local_time(to, resolved.until)
        return Outgoing(t(lang, "alert.resolved_extended", alias=alias, until=until))
    return Outgoing(t(lang, "alert.resolved", alias=alias))


def alert_acknowledged(acknowledged: AlertAcknowledged, to: Member) -> Outgoing:
    alias = worker_name(to, acknowledged.alias)
    label = label_or_default(to, acknowledged.label)
    return Outgoing(t(to.language, acknowledged.kind, alias=alias, label=label))


def renderers() -> Renderers:
    return {
        CheckinReminder: reminder,
        CheckinLastCall: reminder,
        AlertSent: alert_sent,
        Alert: alert,
        AlertLocation: alert_location,
        AlertResolved: alert_resolved,
        AlertAcknowledged: alert_acknowledged,
    }
