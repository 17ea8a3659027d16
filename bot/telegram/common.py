"""What every handler shares: the core, the member behind an update, replies, buttons."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.core import members
from bot.core.context import Core, Refused, tell
from bot.core.notifications import Notification, Priority
from storage.records import Member

log = logging.getLogger("companera.telegram")
Context = ContextTypes.DEFAULT_TYPE
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NOBODY = Member("", 0, None, "es", "UTC", None, _EPOCH, _EPOCH)


def core_of(context: Context) -> Core:
    core: Core = context.application.bot_data["core"]
    return core


async def member_of(update: Update, context: Context) -> Member | None:
    """The member behind this update (created on first contact); None for channel posts."""
    user = update.effective_user
    if user is None or user.is_bot:
        return None
    return await members.identify(core_of(context), user.id, user.language_code)


def keyboard(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    """Inline buttons from rows of (text, callback data)."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows]
    )


async def say(
    context: Context,
    member: Member,
    key: str,
    markup: InlineKeyboardMarkup | None = None,
    protect: bool = False,
    **params: Any,
) -> None:
    """Queue a catalog message for her as an interactive reply; the outbox sender sends it,
    in her language, ahead of any broadcast and within Telegram's limits."""
    await tell(core_of(context), reply(member.id, key, markup, protect, params))


def reply(
    member_id: str,
    key: str,
    markup: InlineKeyboardMarkup | None,
    protect: bool,
    params: dict[str, Any],
) -> Notification:
    """The notification behind `say`: what render() needs to write it at send time."""
    return Notification(
        member_id,
        "reply",
        Priority.INTERACTIVE,
        reply_key(),
        {
            "key": key,
            "params": params,
            "markup": markup.to_dict() if markup else None,
            "protect": protect,
        },
    )


def reply_key() -> str:
    """A reply answers one update once: a key of its own."""
    return f"reply:{secrets.token_hex(12)}"


async def refuse(context: Context, member: Member, refusal: Refused) -> None:
    await say(context, member, refusal.reason, None, False, **refusal.params)


async def delete_quietly(message: Message | None) -> bool:
    """Delete a message if Telegram still lets us (48 hours); True when it is gone."""
    if message is None:
        return False
    try:
        return bool(await message.delete())
    except TelegramError:
        return False


async def answer_button(update: Update, text: str | None = None) -> None:
    """Stop the button's spinner; a stale or expired query is not an error."""
    if update.callback_query is None:
        return
    try:
        await update.callback_query.answer(text)
    except TelegramError:
        pass


def button_parts(update: Update, prefix: str) -> list[str]:
    """The fields of callback data such as `ck:ext:<id>:15`, without the prefix."""
    data = update.callback_query.data if update.callback_query else None
    if not data or not data.startswith(prefix + ":"):
        return []
    return data.split(":")[1:]


async def pressed(update: Update, context: Context, prefix: str) -> tuple[Member, list[str]]:
    """The member who pressed a `prefix:` button and its fields; the spinner is stopped.
    No member (a channel, a bot) gives an empty field list, which every handler ignores."""
    member = await member_of(update, context)
    parts = button_parts(update, prefix)
    await answer_button(update)
    return (member, parts) if member is not None else (_NOBODY, [])


def fixed_reply(key: str) -> Callable[[Update, Context], Coroutine[Any, Any, None]]:
    """A handler that answers with one catalog message."""

    async def on_update(update: Update, context: Context) -> None:
        member = await member_of(update, context)
        if member is not None:
            await say(context, member, key)

    on_update.__doc__ = f"Answer with {key}."
    return on_update
