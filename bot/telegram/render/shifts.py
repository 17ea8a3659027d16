"""Shift partners: who joined, who left, and that the shift ended."""

from __future__ import annotations

from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.notifications.shifts import (
    PartnerBusy,
    PartnerGoing,
    PartnerNoteLate,
    PartnerOverdue,
    ShiftEnded,
    ShiftJoined,
    ShiftLeft,
    ShiftNotice,
    ShiftStatus,
    read_note_line,
)
from bot.core.records import Member
from bot.i18n import clock_time, t, worded
from bot.telegram.render.base import Outgoing, Renderers, worker_name

MAX_TEXT = 4096  # characters of a Telegram message


def shift_notice(notice: ShiftNotice, to: Member) -> Outgoing:
    """About a partner, in her form of address, by her alias only."""
    text = worded(
        to.language,
        notice.kind,
        discreet=to.discreet,
        address=notice.address,
        alias=worker_name(to, notice.alias),
    )
    return Outgoing(text)


def shift_ended(ended: ShiftEnded, to: Member) -> Outgoing:
    return Outgoing(worded(to.language, ended.kind, discreet=to.discreet))


def shift_status(status: ShiftStatus, to: Member) -> Outgoing:
    """Her status message: who is free, with a client until when, or overdue; an edit of
    the one she has once it was sent."""
    lang = to.language
    lines = [t(lang, "shifts.status.title")]
    for line in status.lines.splitlines():
        alias, address, state, until, *_ = [*line.split("\t"), "", "", "", ""]
        time = clock_time(datetime.fromisoformat(until), lang, to.timezone) if until else ""
        key = {"busy": "shifts.status.busy", "overdue": "shifts.status.overdue"}.get(
            state, "shifts.status.free"
        )
        name = worker_name(to, alias)
        lines.append(
            worded(lang, key, discreet=to.discreet, address=address, alias=name, time=time)
        )
    return Outgoing("\n".join(lines), edit=status.edit)


def partner_overdue(overdue: PartnerOverdue, to: Member) -> Outgoing:
    """To her partners at her deadline, before her contacts: her alias and the time only."""
    lang = to.language
    time = clock_time(overdue.deadline, lang, to.timezone)
    name = worker_name(to, overdue.alias)
    key = "shifts.overdue"
    text = worded(lang, key, discreet=to.discreet, address=overdue.address, alias=name, time=time)
    text += _shared(lang, overdue.details)
    block = note_block(lang, overdue.notes, MAX_TEXT - len(text) - 2)
    text += "\n\n" + block if block else ""
    if not overdue.checkin_id:
        return Outgoing(text)
    going = InlineKeyboardButton(
        t(lang, "button.shift_going"), callback_data=f"sv:go:{overdue.checkin_id}"
    )
    return Outgoing(text, InlineKeyboardMarkup([[going], [note_button(to, name, overdue)]]))


def partner_busy(busy: PartnerBusy, to: Member) -> Outgoing:
    lang = to.language
    time = clock_time(busy.deadline, lang, to.timezone)
    name = worker_name(to, busy.alias)
    text = worded(
        lang, busy.kind, discreet=to.discreet, address=busy.address, alias=name, time=time
    )
    text += _shared(lang, busy.details)
    if not busy.checkin_id:  # queued before it carried the check-in
        return Outgoing(text)
    return Outgoing(text, InlineKeyboardMarkup([[note_button(to, name, busy)]]))


def note_button(
    to: Member, alias: str, told: PartnerBusy | PartnerOverdue
) -> InlineKeyboardButton:
    """ "📝 Anotar para Luz": a partner adds what she saw to Luz's check-in."""
    text = worded(to.language, "button.shift_note", discreet=to.discreet, alias=alias)
    return InlineKeyboardButton(text, callback_data=f"sn:add:{told.checkin_id}")


def note_block(language: str, notes: list[str], room: int) -> str:
    """Her partners' notes, as her own details are shown: "📝 Nota de Eva: placa ...", and
    a line for each pin that follows; cut to `room` characters (a Telegram message holds
    4096), never dropped silently."""
    lines = []
    for line in notes:
        read = read_note_line(line)
        if read is None:
            continue
        partner, text, pin = read
        partner = partner or t(language, "contact.unnamed_worker")
        if text:
            lines.append(t(language, "alert.note", partner=partner, text=text))
        if pin:
            lines.append(t(language, "alert.note_pin", partner=partner))
    block = "\n".join(lines)
    if len(block) > room:
        block = block[: max(room - 1, 0)].rstrip() + "…"
    return block


def partner_note_late(late: PartnerNoteLate, to: Member) -> Outgoing:
    """A partner's note after the alert went out, for her contacts and other partners."""
    lang = to.language
    title = t(lang, "shifts.note_late", alias=worker_name(to, late.alias))
    return Outgoing(title + "\n\n" + note_block(lang, [late.note], MAX_TEXT), protect=True)


def _shared(language: str, details: str) -> str:
    """Her details, after a partner notice, when she chose to share them with partners."""
    return "\n\n" + t(language, "shifts.shared_details", details=details) if details else ""


def partner_going(going: PartnerGoing, to: Member) -> Outgoing:
    lang = to.language
    text = worded(
        lang,
        going.kind,
        discreet=to.discreet,
        address=going.address,
        partner=worker_name(to, going.partner),
        alias=worker_name(to, going.alias),
    )
    return Outgoing(text)


def renderers() -> Renderers:
    return {
        PartnerOverdue: partner_overdue,
        PartnerGoing: partner_going,
        PartnerBusy: partner_busy,
        PartnerNoteLate: partner_note_late,
        ShiftJoined: shift_notice,
        ShiftLeft: shift_notice,
        ShiftEnded: shift_ended,
        ShiftStatus: shift_status,
    }
