"""Replies: a catalog key and its parameters, written at send time in her language."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.core.notifications import Reply
from bot.core.records import Member
from bot.i18n import t, wording
from bot.telegram.render.base import Outgoing, Renderers


def reply(reply: Reply, to: Member) -> Outgoing:
    """Her message, if the reply asks for it, is deleted first; `key_if_kept` says what to
    answer if Telegram keeps it; without `key` there is no reply, only the deletion. The
    words follow her form of address, or, with an `about` parameter, that form instead (the
    person the text speaks of)."""
    lang, values = to.language, reply.params
    if not reply.key and reply.delete_first is None:
        raise ValueError("a reply needs a key or a message to delete")
    # Her own form of address, or that of the person the text is about (`about`).
    address = str(values.get("about") or to.address)
    text = if_kept = None
    if reply.key:
        text = t(lang, wording(lang, reply.key, to.discreet, address), **values)
        if reply.key_if_kept:
            if_kept = t(lang, wording(lang, reply.key_if_kept, to.discreet, address), **values)
    return Outgoing(
        text,
        InlineKeyboardMarkup.de_json(reply.markup, None) if reply.markup else None,
        reply.protect,
        delete_first=reply.delete_first,
        text_if_kept=if_kept,
    )


def renderers() -> Renderers:
    return {Reply: reply}
