"""Messages that are not commands: the answer to a question, a pin, or something else."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.core import checkins
from bot.telegram.checkins import on_details_text, on_duration_text
from bot.telegram.common import Context, core_of, fixed_reply, member_of, say
from bot.telegram.start import save_alias
from storage.records import Location

MAX_TEXT = 4096


async def on_text(update: Update, context: Context) -> None:
    """Plain text answers the question she was asked last (kept in the database)."""
    member = await member_of(update, context)
    message = update.effective_message
    if member is None or message is None or message.text is None:
        return
    text = message.text[:MAX_TEXT]
    step = member.conversation.step if member.conversation else None
    if step == "alias":
        await save_alias(context, member, text)
    elif step == "checkin.duration":
        await on_duration_text(context, member, text, message)
    elif step == "checkin.details" and member.conversation:
        checkin_id = member.conversation.data.get("checkin_id", "")
        if not await on_details_text(context, member, checkin_id, text, None, message):
            await say(context, member, "hint.free_text")
    else:
        await say(context, member, "hint.free_text")


async def on_location(update: Update, context: Context) -> None:
    """A location pin goes with her running check-in."""
    member = await member_of(update, context)
    message = update.effective_message
    if member is None or message is None or message.location is None:
        return
    pin = Location(message.location.latitude, message.location.longitude)
    running = await checkins.open_checkin(core_of(context), member)
    if running is None:
        await say(context, member, "hint.location_without_checkin")
        return
    await on_details_text(context, member, running.id, None, pin, message)


def handlers() -> list[BaseHandler]:
    private_new = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    return [
        MessageHandler(private_new & filters.TEXT & ~filters.COMMAND, on_text),
        MessageHandler(private_new & filters.LOCATION, on_location),
        MessageHandler(private_new & filters.COMMAND, fixed_reply("hint.unknown_command")),
        MessageHandler(
            private_new & ~filters.TEXT & ~filters.LOCATION, fixed_reply("hint.not_understood")
        ),
    ]
