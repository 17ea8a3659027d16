"""Networks: a member told she joined, left, or that her pass was used."""

from __future__ import annotations

from bot.core.notifications import NetworkNotice, NetworkPassUsed, NetworkRemoved, NetworkWelcome
from bot.core.records import Member
from bot.i18n import t
from bot.telegram.render.base import Outgoing, Renderers, network_name


def network_notice(notice: NetworkNotice, to: Member) -> Outgoing:
    return Outgoing(t(to.language, notice.kind, network=network_name(to, notice.network)))


def renderers() -> Renderers:
    return dict.fromkeys((NetworkWelcome, NetworkPassUsed, NetworkRemoved), network_notice)
