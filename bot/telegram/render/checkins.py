"""Check-ins and alerts: her reminders and their buttons; the alert her contacts receive,
its pin, and what follows it."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.core.network_config import advice_in
from bot.core.notifications import (
    Alert,
    AlertAcknowledged,
    AlertLocation,
    AlertResolved,
    AlertSent,
    CheckinLastCall,
    CheckinReminder,
    DetentionNotice,
)
from bot.core.records import DETENTION_ALARMS, Alarm, Member
from bot.i18n import t, wording
from bot.telegram.common import keyboard
from bot.telegram.render.base import (
    Outgoing,
    Renderers,
    form_of,
    label_or_default,
    local_time,
    worker_name,
)
from bot.telegram.render.shifts import MAX_TEXT, note_block


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
    """Her contacts were alerted (how many); with none to reach, it says so, and never
    that anyone was told."""
    lang = to.language
    if sent.contacts == 0:
        text = t(lang, wording(lang, "checkin.alert_sent_nobody", to.discreet))
    else:
        text = t(lang, wording(lang, sent.kind, to.discreet), count=sent.contacts)
    return Outgoing(text, checkin_buttons(lang, sent.checkin_id, to.discreet))


def alert(alert: Alert, to: Member) -> Outgoing:
    """The first line says what happened (missed, SOS, code word, duress PIN), in the
    contact's language; then times, details, the pin to come, and what to do."""
    lang, alarm = to.language, alert.alarm
    title = wording(lang, f"alert.{alarm}.title", address=form_of(alert.address))
    lines = [t(lang, title, alias=worker_name(to, alert.alias))]
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
    if alert.partner:  # a shift partner, close by; her details only if she shares them
        lines.insert(1, t(lang, "alert.partner.close_by", alias=worker_name(to, alert.alias)))
    if alert.partner and not alert.details and not alert.has_location:
        lines.append(t(lang, "alert.partner.not_shared", alias=worker_name(to, alert.alias)))
    else:
        lines.append(
            t(lang, "alert.missed.details", details=alert.details)
            if alert.details
            else t(lang, "alert.missed.no_details")
        )
    notes_at = len(lines)  # her partners' notes go after her details
    if alert.has_location and alert.location_at:
        lines.append(t(lang, "alert.location_follows_at", at=local_time(to, alert.location_at)))
    elif alert.has_location:
        lines.append(t(lang, "alert.missed.location_follows"))
    lines.append(what_to_do(alert, to))
    on_it = "button.drill_received" if alert.drill else "button.on_it"
    rows = [[(t(lang, on_it), f"al:ack:{alert.checkin_id}")]]
    if alert.partner and not alert.drill:  # a partner goes: "Voy" tells the others who
        rows = [[(t(lang, "button.shift_going"), f"sv:go:{alert.checkin_id}")]]
    elif alert.has_location and not alert.partner:  # no button for a pin that does not exist
        rows.append([(t(lang, "button.latest_location"), f"al:loc:{alert.checkin_id}")])
    if alert.drill:  # a drill says so on its first line, before anything else
        lines.insert(0, t(lang, "alert.drill.banner"))
    block = note_block(lang, alert.notes, MAX_TEXT - len("\n\n".join(lines)) - 2)
    if block:
        lines.insert(notes_at + (1 if alert.drill else 0), block)
    buttons = None if alert.preview else keyboard(rows)
    return Outgoing("\n\n".join(lines), buttons, protect=True)


# The first step: reach her. After a code word or a duress PIN someone may be watching her
# phone, so her contacts are told not to write.
_REACH = {
    Alarm.MISSED: "alert.step.reach.missed",
    Alarm.SOS: "alert.step.reach.sos",
    Alarm.CODEWORD: "alert.step.reach.watched",
    Alarm.DURESS: "alert.step.reach.watched",
}
# Where to go, with someone: only to places the alert gives (her pin, her details); if she
# does not answer, or at once when someone may be watching her phone.
_GO = {
    (False, True, True): "alert.step.go.both",
    (False, True, False): "alert.step.go.location",
    (False, False, True): "alert.step.go.details",
    (True, True, True): "alert.step.go_now.both",
    (True, True, False): "alert.step.go_now.location",
    (True, False, True): "alert.step.go_now.details",
}


def what_to_do(alert: Alert, to: Member) -> str:
    """Numbered steps: reach her; go where the alert says she is, with someone; the advice
    of her organisation or of the deployment (else the catalog's, which calls no police);
    an emergency number only where one was configured; and "I'm on it"."""
    lang, alias = to.language, worker_name(to, alert.alias)
    reach = _REACH.get(alert.alarm, "alert.step.reach.watched")
    steps = [t(lang, reach)]
    go = _GO.get((reach == "alert.step.reach.watched", alert.has_location, bool(alert.details)))
    if go is not None:
        steps.append(t(lang, go))
    if alert.alarm in DETENTION_ALARMS:  # never the police, whatever number was configured
        steps.extend(legal_steps(lang, alias, alert.legal_contact, alert.legal_hours))
    else:
        configured = advice_in(alert.advice, lang)
        steps.append(configured or t(lang, "alert.step.advice", alias=alias))
        if alert.emergency_number:
            number = alert.emergency_number
            steps.append(t(lang, "alert.step.emergency", alias=alias, number=number))
    steps.append(
        t(lang, "alert.step.going", alias=alias)
        if alert.partner and not alert.drill
        else t(lang, "alert.step.on_it", alias=alias)
    )
    numbered = (f"{number}. {step}" for number, step in enumerate(steps, start=1))
    text = "\n".join([t(lang, "alert.what_to_do"), *numbered])
    rights = advice_in(alert.legal_rights, lang) if alert.alarm in DETENTION_ALARMS else None
    if rights:
        text += "\n\n" + t(lang, "alert.detained.rights", rights=rights)
    return text


def legal_steps(language: str, alias: str, contact: str, hours: str) -> list[str]:
    """Who to call when the police hold her: her network's legal line (and its hours), else
    her organisation or a lawyer; and, always, not the police."""
    if not contact:
        return [t(language, "alert.step.detained.neutral", alias=alias)]
    steps = [t(language, "alert.step.detained.call", alias=alias, contact=contact)]
    if hours:
        steps[0] += " " + t(language, "alert.step.detained.hours", hours=hours)
    return steps


def detention_notice(notice: DetentionNotice, to: Member) -> Outgoing:
    """A legal coordinator is told that the police hold a member of her network: her alias,
    the network, the time, and the network's legal line and rights text."""
    lang, alias = to.language, worker_name(to, notice.alias)
    title = wording(lang, notice.kind, address=form_of(notice.address))
    lines = [
        t(lang, title, alias=alias, network=notice.network),
        t(lang, "alert.raised_at", at=local_time(to, notice.raised_at)),
    ]
    steps = legal_steps(lang, alias, notice.legal_contact, notice.legal_hours)
    lines.append("\n".join(steps))
    rights = advice_in(notice.legal_rights, lang)
    if rights:
        lines.append(t(lang, "alert.detained.rights", rights=rights))
    return Outgoing("\n\n".join(lines), protect=True)


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
    resolved_key = wording(lang, "alert.resolved", address=form_of(resolved.address))
    return Outgoing(t(lang, resolved_key, alias=alias))


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
        DetentionNotice: detention_notice,
    }
