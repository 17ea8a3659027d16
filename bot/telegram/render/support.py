"""Accompaniment: a new case and its reminder to support, the relayed messages (protected,
headed by her alias or by the role and network, never by anyone's Telegram account), and
the end of a case."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.notifications.support import CaseEnded, CaseNew, CaseRelayed, CaseReminder, CaseTaken
from bot.core.records import Member
from bot.core.support import KINDS
from bot.i18n import t, worded, wording
from bot.telegram.render.base import Outgoing, Renderers, network_name, worker_name


def kind_label(to: Member, kind: str) -> str:
    key = f"support.kind.{kind if kind in KINDS else 'other'}"
    return t(to.language, wording(to.language, key, to.discreet))


def age(language: str, minutes: int) -> str:
    """How long a case has waited: minutes, hours, then days."""
    minutes = max(0, minutes)
    if minutes < 60:
        return t(language, "support.age.minutes", count=minutes)
    if minutes < 48 * 60:
        return t(language, "support.age.hours", count=minutes // 60)
    return t(language, "support.age.days", count=minutes // (24 * 60))


def case_buttons(to: Member, case_id: str, *keys: tuple[str, str]) -> InlineKeyboardMarkup:
    lang = to.language
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, wording(lang, key, to.discreet)),
                    callback_data=f"sp:{action}:{case_id}",
                )
            ]
            for key, action in keys
        ]
    )


WRITE = ("button.support_write", "write")
CLOSE = ("button.support_close", "close")
TAKE = ("button.support_take", "take")


def case_new(new: CaseNew, to: Member) -> Outgoing:
    text = worded(
        to.language,
        new.kind,
        discreet=to.discreet,
        address=new.address,
        kind=kind_label(to, new.case_kind),
        alias=worker_name(to, new.alias),
        network=network_name(to, new.network),
    )
    return Outgoing(text, case_buttons(to, new.case_id, TAKE), protect=True)


def case_reminder(reminder: CaseReminder, to: Member) -> Outgoing:
    text = worded(
        to.language,
        reminder.kind,
        discreet=to.discreet,
        address=reminder.address,
        kind=kind_label(to, reminder.case_kind),
        alias=worker_name(to, reminder.alias),
        network=network_name(to, reminder.network),
        time=age(to.language, reminder.minutes),
    )
    return Outgoing(text, case_buttons(to, reminder.case_id, TAKE), protect=True)


def case_taken(taken: CaseTaken, to: Member) -> Outgoing:
    text = worded(
        to.language, taken.kind, discreet=to.discreet, network=network_name(to, taken.network)
    )
    return Outgoing(text, case_buttons(to, taken.case_id, WRITE), protect=True)


def case_relayed(relayed: CaseRelayed, to: Member) -> Outgoing:
    """One message, protected: headed by her alias (to support) or by the role and the
    network (to her)."""
    network = network_name(to, relayed.network)
    if relayed.to_support:
        head = t(to.language, "support.from_member", alias=worker_name(to, relayed.alias))
    else:
        head = t(to.language, wording(to.language, "support.from_support", to.discreet))
    head = f"{head} — {network}"
    return Outgoing(
        f"💬 {head}:\n{relayed.text}",
        case_buttons(to, relayed.case_id, WRITE, CLOSE),
        protect=True,
    )


def case_ended(ended: CaseEnded, to: Member) -> Outgoing:
    side = "support" if ended.to_support else "member"
    key = f"support.ended.{ended.how}.{side}"
    text = worded(
        to.language,
        key,
        discreet=to.discreet,
        alias=worker_name(to, ended.alias),
        network=network_name(to, ended.network),
    )
    return Outgoing(text, protect=True)


def renderers() -> Renderers:
    return {
        CaseNew: case_new,
        CaseReminder: case_reminder,
        CaseTaken: case_taken,
        CaseRelayed: case_relayed,
        CaseEnded: case_ended,
    }
