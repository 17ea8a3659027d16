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
from bot.i18n import t, wording
from bot.telegram.render.base import Outgoing, Renderers, label_or_default, worker_name


def contact_notice(notice: ContactNotice, to: Member) -> Outgoing:
    lang, label = to.language, label_or_default(to, notice.label)
    return Outgoing(t(lang, wording(lang, notice.kind, to.discreet), label=label))


def contact_removed(removed: ContactRemoved, to: Member) -> Outgoing:
    return Outgoing(t(to.language, removed.kind, alias=worker_name(to, removed.alias)))


def renderers() -> Renderers:
    notices = (ContactAccepted, ContactDeclined, ContactLeft, ContactUnreachable, ContactForgotten)
    return {**dict.fromkeys(notices, contact_notice), ContactRemoved: contact_removed}
