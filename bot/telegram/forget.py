"""/forget: after one confirmation, everything of hers is erased at once."""

from __future__ import annotations

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.core import forget
from bot.i18n import t
from bot.telegram.common import Context, core_of, keyboard, member_of, pressed, say


async def on_forget_command(update: Update, context: Context) -> None:
    """/forget: what it erases, and one button to confirm."""
    member = await member_of(update, context)
    if member is None:
        return
    lang = member.language
    rows = [
        [(t(lang, "button.forget_yes"), f"fg:yes:{member.id[:12]}")],
        [(t(lang, "button.forget_no"), "fg:no")],
    ]
    await say(context, member, "forget.confirm", keyboard(rows))


async def on_forget_button(update: Update, context: Context) -> None:
    """Confirmed: erase her, then say so by editing the confirmation itself. Her row is gone,
    so this one answer cannot go through the outbox, which needs a recipient."""
    member, parts = await pressed(update, context, "fg")
    if not parts:
        return
    if parts[0] != "yes" or len(parts) != 2 or parts[1] != member.id[:12]:
        await say(context, member, "forget.kept")
        return
    language = member.language
    await forget.forget(core_of(context), member.id)
    query = update.callback_query
    try:
        if query is not None and query.message is not None:
            await query.edit_message_text(t(language, "forget.done"))
    except TelegramError:
        pass  # the erasure is done; the confirmation just stays as it was


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("forget", on_forget_command),
        CallbackQueryHandler(on_forget_button, pattern=r"^fg:"),
    ]
