"""Trusted contacts: each side of a link told what the other did."""

from __future__ import annotations

from bot.core.notifications import (
    ContactAccepted,
    ContactDeclined,
    ContactForgotten,
    ContactLeft,
    ContactNotice,
    ContactRemoved,
    ContactUnreachable,
)
from bot.core.records import Member
from bot.i18n import t
from bot.telegram.render.base import Outgoing, Renderers, label_or_default, worker_name


def contact_notice(notice: ContactNotice, to: Member) -> Outgoing:
    return Outgoing(t(to.language, notice.kind, label=label_or_default(to, notice.label)))


def contact_removed(removed: ContactRemoved, to: Member) -> Outgoing:
    return Outgoing(t(to.language, removed.kind, alias=worker_name(to, removed.alias)))


def renderers() -> Renderers:
    notices = (ContactAccepted, ContactDeclined, ContactLeft, ContactUnreachable, ContactForgotten)
    return {**dict.fromkeys(notices, contact_notice), ContactRemoved: contact_removed}
