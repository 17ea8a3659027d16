"""What a renderer makes, and what every renderer needs: times in her zone, names that
are never empty."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from telegram import InlineKeyboardMarkup

from bot.core.notifications import Notification
from bot.core.records import Member
from bot.i18n import clock_time, t, wording


@dataclass(frozen=True)
class Outgoing:
    text: str | None = None
    markup: InlineKeyboardMarkup | None = None
    protect: bool = False
    location: tuple[float, float] | None = None
    delete_first: int | None = None  # her message to delete before this one is sent
    text_if_kept: str | None = None  # the text instead, when Telegram keeps her message
    edit: int | None = None  # a message of the bot in her chat to rewrite, instead of sending
    # A document (file name, bytes) with `text` as its caption; made in memory, never a file.
    document: tuple[str, bytes] | None = None


# A notification of one type, for one recipient, in her language and zone.
Renderer = Callable[[Any, Member], Outgoing]
Renderers = dict[type[Notification], Renderer]


def local_time(member: Member, moment: datetime | str) -> str:
    """A time of day in her zone, as her phone shows it (an ISO string is read first)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return clock_time(moment, member.language, member.timezone)


def form_of(address: str) -> str:
    """The form of address a notification carries; neutral for rows queued before it had
    one."""
    return address or "neutral"


def worker_name(to: Member, alias: str) -> str:
    """The worker's alias, as her contacts read it; never empty."""
    return alias or t(to.language, "contact.unnamed_worker")


def label_or_default(member: Member, label: str | None) -> str:
    """Her name for a contact; never empty (and neutral in discreet mode)."""
    lang = member.language
    return label or t(lang, wording(lang, "contact.unnamed", member.discreet))


def network_name(to: Member, network: str) -> str:
    return network or t(to.language, "network.unnamed")
