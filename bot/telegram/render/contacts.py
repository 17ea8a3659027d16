"""Trusted contacts: each side of a link told what the other did."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.notifications import (
    ContactAccepted,
    ContactConfirmed,
    ContactDeclined,
    ContactForgotten,
    ContactLeft,
    ContactNotConfirmed,
    ContactNotice,
    ContactRemoved,
    ContactToConfirm,
    ContactUnreachable,
    InviteLinkUsed,
)
from bot.core.records import Member
from bot.i18n import t, wording
from bot.telegram.render.base import Outgoing, Renderers, label_or_default, worker_name


def contact_notice(notice: ContactNotice, to: Member) -> Outgoing:
    lang, label = to.language, label_or_default(to, notice.label)
    return Outgoing(t(lang, wording(lang, notice.kind, to.discreet), label=label))


def contact_removed(removed: ContactRemoved, to: Member) -> Outgoing:
    return Outgoing(t(to.language, removed.kind, alias=worker_name(to, removed.alias)))


def contact_to_confirm(asked: ContactToConfirm, to: Member) -> Outgoing:
    """Her name on the invitation and the account's own alias, and "✓ Sí · ✗ No"; the
    buttons carry the link's random token, never a row id."""
    lang = to.language
    key = "contacts.to_confirm" if asked.label else "contacts.to_confirm_unlabeled"
    alias = asked.alias or t(lang, "contact.no_alias")
    text = t(lang, wording(lang, key, to.discreet), label=asked.label, alias=alias)
    buttons = [
        InlineKeyboardButton(t(lang, "button.contact_yes"), callback_data=f"cf:y:{asked.token}"),
        InlineKeyboardButton(t(lang, "button.contact_no"), callback_data=f"cf:n:{asked.token}"),
    ]
    return Outgoing(text, InlineKeyboardMarkup([buttons]))


def contact_confirmed(confirmed: ContactConfirmed, to: Member) -> Outgoing:
    lang = to.language
    alias = worker_name(to, confirmed.alias)
    text = t(lang, wording(lang, confirmed.kind, to.discreet), alias=alias)
    return Outgoing(text)


def contact_not_confirmed(told: ContactNotConfirmed, to: Member) -> Outgoing:
    return Outgoing(t(to.language, told.kind))


def invite_link_used(used: InviteLinkUsed, to: Member) -> Outgoing:
    """Her message with the link, rewritten: the link leaves her chat."""
    text = t(to.language, wording(to.language, used.kind, to.discreet))
    return Outgoing(text, edit=used.message_id)


def renderers() -> Renderers:
    notices = (ContactAccepted, ContactDeclined, ContactLeft, ContactUnreachable, ContactForgotten)
    return {
        **dict.fromkeys(notices, contact_notice),
        ContactRemoved: contact_removed,
        ContactToConfirm: contact_to_confirm,
        ContactConfirmed: contact_confirmed,
        ContactNotConfirmed: contact_not_confirmed,
        InviteLinkUsed: invite_link_used,
    }
