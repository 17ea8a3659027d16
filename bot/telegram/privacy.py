"""Her chat and her data: /clean deletes the bot's messages in her chat, /forget erases
everything of hers after one confirmation."""

from __future__ import annotations

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.core import forget, members
from bot.core.context import Refused
from bot.i18n import t
from bot.telegram.common import (
    Context,
    core_of,
    delete_quietly,
    keyboard,
    member_of,
    pressed,
    refuse,
    say,
)


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
    outcome = await forget.forget_at_her_request(core_of(context), member)
    if isinstance(outcome, Refused):
        await refuse(context, member, outcome)
        return
    query = update.callback_query
    try:
        if query is not None and query.message is not None:
            await query.edit_message_text(t(language, "forget.done"))
    except TelegramError:
        pass  # the erasure is done; the confirmation just stays as it was


async def on_discreet_command(update: Update, context: Context) -> None:
    """/discreet: neutral words in her chat, on or off, with an example of each."""
    member = await member_of(update, context)
    if member is None:
        return
    lang = member.language
    rows = [
        [(t(lang, "button.discreet_on"), "ds:on")],
        [(t(lang, "button.discreet_off"), "ds:off")],
    ]
    key = "discreet.is_on" if member.discreet else "discreet.is_off"
    await say(context, member, key, keyboard(rows))


async def on_discreet_button(update: Update, context: Context) -> None:
    member, parts = await pressed(update, context, "ds")
    if len(parts) != 1 or parts[0] not in ("on", "off"):
        return
    saved = await members.set_discreet(core_of(context), member, parts[0] == "on")
    await say(context, saved, "discreet.saved_on" if saved.discreet else "discreet.saved_off")


async def on_clean_command(update: Update, context: Context) -> None:
    """/clean: delete the bot's messages in her chat that Telegram still lets it delete (48
    hours) and that are still on record, and her /clean; then one short line."""
    member = await member_of(update, context)
    if member is None:
        return
    chat_id = update.effective_chat.id if update.effective_chat else member.chat_id
    deleted = 0
    for message_id in await members.take_sent_messages(core_of(context), member):
        try:
            deleted += bool(await context.bot.delete_message(chat_id, message_id))
        except TelegramError:
            pass  # too old, or she deleted it herself
    await delete_quietly(update.effective_message)
    await say(context, member, "clean.done", n=deleted)


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("forget", on_forget_command),
        CommandHandler("clean", on_clean_command),
        CommandHandler("discreet", on_discreet_command),
        CallbackQueryHandler(on_discreet_button, pattern=r"^ds:"),
        CallbackQueryHandler(on_forget_button, pattern=r"^fg:"),
    ]
