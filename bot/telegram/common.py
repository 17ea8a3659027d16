"""What every handler shares: the context type, buttons, and callback data."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.core.records import Member
from bot.i18n import t, wording
from bot.telegram.context import UpdateContext

Context = UpdateContext
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NOBODY = Member("", 0, None, "es", "UTC", None, _EPOCH, _EPOCH)


def keyboard(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    """Inline buttons from rows of (text, callback data)."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows]
    )


def label(member: Member, key: str, **params: object) -> str:
    """A button's label for her: its neutral variant (`key.discreet`) in discreet mode."""
    return t(member.language, wording(member.language, key, member.discreet), **params)


def button_parts(update: Update, prefix: str) -> list[str]:
    """The fields of callback data such as `ck:ext:<id>:15`, without the prefix."""
    data = update.callback_query.data if update.callback_query else None
    if not data or not data.startswith(prefix + ":"):
        return []
    return data.split(":")[1:]


def pressed(update: Update, context: Context, prefix: str) -> tuple[Member, list[str]]:
    """The member who pressed a `prefix:` button and its fields (the spinner stops once the
    update is committed). No member (a channel, a bot) gives an empty field list, which
    every handler ignores."""
    member = context.member
    if member is None:
        return _NOBODY, []
    return member, button_parts(update, prefix)


def fixed_reply(key: str) -> Callable[[Update, Context], Coroutine[Any, Any, None]]:
    """A handler that answers with one catalog message."""

    async def on_update(update: Update, context: Context) -> None:
        await context.say(key)

    on_update.__doc__ = f"Answer with {key}."
    return on_update
