"""Shift partners: who joined, who left, and that the shift ended."""

from __future__ import annotations

from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.notifications.shifts import (
    PartnerBusy,
    PartnerGoing,
    PartnerOverdue,
    ShiftEnded,
    ShiftJoined,
    ShiftLeft,
    ShiftNotice,
    ShiftStatus,
)
from bot.core.records import Member
from bot.i18n import clock_time, t, worded
from bot.telegram.render.base import Outgoing, Renderers, worker_name


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
    if not overdue.checkin_id:
        return Outgoing(text)
    going = InlineKeyboardButton(
        t(lang, "button.shift_going"), callback_data=f"sv:go:{overdue.checkin_id}"
    )
    return Outgoing(text, InlineKeyboardMarkup([[going]]))


def partner_busy(busy: PartnerBusy, to: Member) -> Outgoing:
    lang = to.language
    time = clock_time(busy.deadline, lang, to.timezone)
    name = worker_name(to, busy.alias)
    text = worded(
        lang, busy.kind, discreet=to.discreet, address=busy.address, alias=name, time=time
    )
    return Outgoing(text)


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
        ShiftJoined: shift_notice,
        ShiftLeft: shift_notice,
        ShiftEnded: shift_ended,
        ShiftStatus: shift_status,
    }
