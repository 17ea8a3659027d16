"""What every member may be told: an operator's announcement, the idle notice."""

from __future__ import annotations

from bot.core.notifications import Announcement, IdleNotice
from bot.core.records import Member
from bot.i18n import t, wording
from bot.telegram.render.base import Outgoing, Renderers


def announcement(announcement: Announcement, to: Member) -> Outgoing:
    return Outgoing(t(to.language, "announcement.header") + "\n\n" + announcement.text)


def idle_notice(notice: IdleNotice, to: Member) -> Outgoing:
    lang = to.language
    return Outgoing(t(lang, wording(lang, notice.kind, to.discreet), count=notice.days))


def renderers() -> Renderers:
    return {Announcement: announcement, IdleNotice: idle_notice}
