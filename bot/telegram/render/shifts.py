"""Shift partners: who joined, who left, and that the shift ended."""

from __future__ import annotations

from bot.core.notifications.shifts import ShiftEnded, ShiftJoined, ShiftLeft, ShiftNotice
from bot.core.records import Member
from bot.i18n import worded
from bot.telegram.render.base import Outgoing, Renderers, worker_name


def shift_notice(notice: ShiftNotice, to: Member) -> Outgoing:
    """About a partner, in her form of address, by her alias only."""
    text = worded(
        to.language, notice.kind, discreet=to.discreet, address=notice.address,
        alias=worker_name(to, notice.alias),
    )
    return Outgoing(text)


def shift_ended(ended: ShiftEnded, to: Member) -> Outgoing:
    return Outgoing(worded(to.language, ended.kind, discreet=to.discreet))


def renderers() -> Renderers:
    return {ShiftJoined: shift_notice, ShiftLeft: shift_notice, ShiftEnded: shift_ended}
