"""What every handler shares: the context type, buttons, and callback data."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.core.records import Member
from bot.i18n import t, wording
from bot.telegram.buttons import open_fields
from bot.telegram.context import UpdateContext, reply

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
    """The member who pressed a `prefix:` button and its fields, a row's token turned back
    into its id (bot/telegram/buttons.py); the spinner stops once the update is committed.
    No member (a channel, a bot) gives an empty field list, which every handler ignores; so
    does a token that is not one, after the kind "this button no longer works"."""
    member = context.member
    if member is None:
        return _NOBODY, []
    fields = button_parts(update, prefix)
    opened = open_fields(prefix, fields, context.core.db.tokens) if fields else fields
    if opened is None:
        stale(context)
        return member, []
    return member, opened


def stale(context: Context) -> None:
    """Answer a button that no longer works, or never did (forged data): kindly."""
    member = context.member
    if member is not None:
        context.turn.queue(reply(member.id, "button.stale", None, False, {}))


def number(text: str, most: int) -> int | None:
    """A whole number from button data: ASCII digits only ("²" is a digit to `isdigit()`),
    at most `most`; None for anything else."""
    if not text or len(text) > len(str(most)) or not all("0" <= c <= "9" for c in text):
        return None
    value = int(text)
    return value if value <= most else None


def fixed_reply(key: str) -> Callable[[Update, Context], Coroutine[Any, Any, None]]:
    """A handler that answers with one catalog message."""

    async def on_update(update: Update, context: Context) -> None:
        await context.say(key)

    on_update.__doc__ = f"Answer with {key}."
    return on_update
