"""Turns a domain notification into localized Telegram messages for one recipient."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from telegram import InlineKeyboardMarkup

from bot.core.records import Member
from bot.i18n import clock_time, short_date, t, wording
from bot.telegram.common import keyboard


@dataclass(frozen=True)
class Outgoing:
    text: str | None = None
    markup: InlineKeyboardMarkup | None = None
    protect: bool = False
    location: tuple[float, float] | None = None
    delete_first: int | None = None  # her message to delete before this one is sent
    text_if_kept: str | None = None  # the text instead, when Telegram keeps her message


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


def local_time(member: Member, iso: str) -> str:
    return clock_time(datetime.fromisoformat(iso), member.language, member.timezone)


def label_or_default(member: Member, label: str | None) -> str:
    return label or t(member.language, "contact.unnamed")


def render(kind: str, params: dict[str, Any], to: Member) -> Outgoing:
    """The message for notification `kind`, in the recipient's language and zone."""
    lang = to.language
    if kind == "reply":
        # "delete_first": her message to delete before the reply (it carried details, a PIN
        # or a code word); "key_if_kept" says what to answer if Telegram keeps it; without
        # "key" there is no reply, only the deletion.
        markup, values = params.get("markup"), params.get("params") or {}
        key, kept, delete_first = params.get("key"), params.get("key_if_kept"), None
        if params.get("delete_first") is not None:
            delete_first = int(params["delete_first"])
        elif not key:
            raise ValueError("a reply needs a key or a message to delete")
        text = t(lang, wording(lang, key, to.discreet), **values) if key else None
        if_kept = t(lang, wording(lang, kept, to.discreet), **values) if key and kept else None
        return Outgoing(
            text,
            InlineKeyboardMarkup.de_json(markup, None) if markup else None,
            bool(params.get("protect")),
            delete_first=delete_first,
            text_if_kept=if_kept,
        )
    if kind == "announcement":
        return Outgoing(t(lang, "announcement.header") + "\n\n" + params["text"])
    if kind in ("checkin.reminder", "checkin.last_call"):
        text = t(
            lang,
            wording(lang, kind, to.discreet),
            deadline=local_time(to, params["deadline"]),
            alert_at=local_time(to, params["alert_at"]),
        )
        return Outgoing(text, checkin_buttons(lang, params["checkin_id"], to.discreet))
    if kind == "checkin.alert_sent":
        text = t(lang, wording(lang, kind, to.discreet), contacts=params["contacts"])
        return Outgoing(text, checkin_buttons(lang, params["checkin_id"], to.discreet))
    if kind in ("alert", "alert.missed"):  # "alert.missed": queued before alarms had kinds
        return _alert(params, to)
    if kind == "alert.location":
        return Outgoing(location=(params["latitude"], params["longitude"]), protect=True)
    if kind == "alert.resolved":
        if params.get("until"):
            text = t(
                lang,
                "alert.resolved_extended",
                alias=params["alias"],
                until=local_time(to, params["until"]),
            )
        else:
            text = t(lang, "alert.resolved", alias=params["alias"])
        return Outgoing(text)
    if kind == "alert.acknowledged":
        return Outgoing(
            t(lang, kind, alias=params["alias"], label=label_or_default(to, params["label"]))
        )
    if kind in CONTACT_NOTICES:
        return Outgoing(t(lang, kind, label=label_or_default(to, params.get("label"))))
    if kind == "contacts.removed":
        return Outgoing(t(lang, kind, alias=params["alias"]))
    if kind == "members.idle_notice":
        return Outgoing(t(lang, kind, days=params["days"]))
    if kind == "warning":
        return Outgoing(
            warning_text(lang, params), warning_buttons(lang, params["warning_id"]), protect=True
        )
    if kind in NETWORK_NOTICES:
        return Outgoing(t(lang, kind, network=params.get("network", "")))
    raise ValueError(f"no rendering for notification kind {kind}")


ALARMS = ("missed", "sos", "codeword", "duress")


def _alert(params: dict[str, Any], to: Member) -> Outgoing:
    """The first line says what happened (missed, SOS, code word, duress PIN), in the
    contact's language; then times, details, the pin to come, and what to do."""
    lang = to.language
    alarm = str(params.get("alarm") or "missed")
    alarm = alarm if alarm in ALARMS else "missed"
    lines = [t(lang, f"alert.{alarm}.title", alias=params["alias"])]
    if params.get("repeat"):
        lines[0] += " " + t(lang, "alert.missed.repeat", n=params["repeat"])
    started, deadline = params["started_at"], params["deadline"]
    times = {"started": local_time(to, started), "deadline": local_time(to, deadline)}
    if alarm == "missed":
        lines.append(t(lang, "alert.missed.times", **times))
    else:
        raised = local_time(to, params.get("raised_at") or started)
        line = t(lang, "alert.raised_at", at=raised)
        if params.get("had_checkin"):
            line += "\n" + t(lang, "alert.had_checkin", **times)
        lines.append(line)
    details = params.get("details")
    lines.append(
        t(lang, "alert.missed.details", details=details)
        if details
        else t(lang, "alert.missed.no_details")
    )
    if params.get("has_location") and params.get("location_at"):
        at = local_time(to, params["location_at"])
        lines.append(t(lang, "alert.location_follows_at", at=at))
    elif params.get("has_location"):
        lines.append(t(lang, "alert.missed.location_follows"))
    # After a code word or a duress PIN someone may be watching her phone: discreet advice.
    advice = {"missed": "alert.missed.what_to_do", "sos": "alert.sos.what_to_do"}
    lines.append(t(lang, advice.get(alarm, "alert.duress.what_to_do")))
    checkin_id = params["checkin_id"]
    buttons = keyboard(
        [
            [(t(lang, "button.on_it"), f"al:ack:{checkin_id}")],
            [(t(lang, "button.latest_location"), f"al:loc:{checkin_id}")],
        ]
    )
    return Outgoing("\n\n".join(lines), buttons, protect=True)


CONTACT_NOTICES = (
    "contacts.accepted",
    "contacts.declined",
    "contacts.left",
    "contacts.unreachable",
    "contacts.forgotten",
)
NETWORK_NOTICES = (
    "network.welcome",
    "network.pass_used",
    "network.removed",
    "warning.to_review",
    "warning.published",
    "warning.rejected",
)


def warning_text(lang: str, params: dict[str, Any]) -> str:
    """A peer warning as members read it: what, where, roughly when, the text and the
    identifiers; never who reported it or when she did."""
    lines = [
        t(lang, "warning.title", network=params["network"]),
        t(lang, f"warning.kind.{params['kind']}") + " · " + params["area"],
        _when(lang, params["when"], params.get("day") or ""),
        params["text"],
    ]
    for name in ("phone", "plate", "name"):
        if params.get(name):
            lines.append(t(lang, f"warning.{name}", value=params[name]))
    if params.get("me_too"):
        lines.append(t(lang, "warning.me_too_count", n=params["me_too"]))
    return "\n".join(lines)


def _when(lang: str, when: str, day: str) -> str:
    """The day it happened, from the day it was sent, coarsely: the submission time is not
    shown (it could point at the reporter)."""
    if not day or when not in ("today", "yesterday", "week", "earlier"):
        return t(lang, "warning.when.earlier_unknown")
    sent = date.fromisoformat(day)
    shown = {"today": sent, "yesterday": sent - timedelta(days=1)}.get(
        when, sent - timedelta(days=7)
    )
    return t(lang, f"warning.when.{when}", date=short_date(shown, lang))


def warning_buttons(lang: str, warning_id: str) -> InlineKeyboardMarkup:
    return keyboard(
        [
            [(t(lang, "button.me_too"), f"wn:me:{warning_id}")],
            [(t(lang, "button.flag"), f"wn:flag:{warning_id}")],
        ]
    )
