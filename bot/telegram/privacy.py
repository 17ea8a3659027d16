"""Her chat and her data: /clean deletes the bot's messages in her chat, /forget erases
everything of hers after one confirmation."""

from __future__ import annotations

from dataclasses import replace

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.core import forget, members
from bot.core.context import Refused
from bot.i18n import t
from bot.telegram.commands import names, refresh_chat_menu
from bot.telegram.common import (
    Context,
    keyboard,
    pressed,
)
from bot.telegram.context import reply


async def on_forget_command(update: Update, context: Context) -> None:
    """/forget: what it erases, and one button to confirm."""
    member = context.member
    if member is None:
        return
    lang = member.language
    rows = [
        [(t(lang, "button.forget_yes"), "fg:yes")],
        [(t(lang, "button.forget_no"), "fg:no")],
    ]
    await context.say("forget.confirm", keyboard(rows))


async def on_forget_button(update: Update, context: Context) -> None:
    """Confirmed: erase her, then say so by editing the confirmation itself. Her row is gone,
    so this one answer cannot go through the outbox, which needs a recipient."""
    member, parts = pressed(update, context, "fg")
    if not parts:
        return
    if parts != ["yes"]:  # the presser is the member: the button names nobody
        await context.say("forget.kept")
        return
    language = member.language
    outcome = await forget.forget_at_her_request(context.work, member)
    if isinstance(outcome, Refused):
        await context.refuse(outcome)
        return
    query = update.callback_query
    if query is not None and query.message is not None:
        # Once committed; a failure leaves the confirmation as it was, the erasure done.
        context.after_commit(lambda: query.edit_message_text(t(language, "forget.done")))
    if member.discreet:  # her own menu goes with her
        refresh_chat_menu(context, replace(member, discreet=False))


async def on_discreet_command(update: Update, context: Context) -> None:
    """/discreet: neutral words in her chat, on or off, with an example of each."""
    member = context.member
    if member is None:
        return
    lang = member.language
    rows = [
        [(t(lang, "button.discreet_on"), "ds:on")],
        [(t(lang, "button.discreet_off"), "ds:off")],
    ]
    key = "discreet.is_on" if member.discreet else "discreet.is_off"
    await context.say(key, keyboard(rows))


async def on_discreet_button(update: Update, context: Context) -> None:
    member, parts = pressed(update, context, "ds")
    if len(parts) != 1 or parts[0] not in ("on", "off"):
        return
    saved = await members.set_discreet(context.work, member, parts[0] == "on")
    await context.say("discreet.saved_on" if saved.discreet else "discreet.saved_off")
    refresh_chat_menu(context, saved)  # her own neutral menu, or the usual one again


async def on_clean_command(update: Update, context: Context) -> None:
    """/clean: delete the bot's messages in her chat that Telegram still lets it delete (48
    hours) and that are still on record, and her /clean; then one short line. The deletions
    wait for the commit (no transaction waits on Telegram), so the line that counts them is
    queued in a transaction of its own after them."""
    member = context.member
    if member is None:
        return
    chat_id = update.effective_chat.id if update.effective_chat else member.chat_id
    taken = await members.take_sent_messages(context.work, member)
    await context.delete(update.effective_message)
    core, bot = context.core, context.bot

    async def clean() -> None:
        deleted = 0
        for message_id in taken:
            try:
                deleted += bool(await bot.delete_message(chat_id, message_id))
            except TelegramError:
                pass  # too old, or she deleted it herself
        async with core.unit() as work:
            await work.notify(reply(member.id, "clean.done", None, False, {"count": deleted}))

    context.after_commit(clean)


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler(names("forget"), on_forget_command),
        CommandHandler(names("clean"), on_clean_command),
        CommandHandler(names("discreet"), on_discreet_command),
        CallbackQueryHandler(on_discreet_button, pattern=r"^ds:"),
        CallbackQueryHandler(on_forget_button, pattern=r"^fg:"),
    ]
