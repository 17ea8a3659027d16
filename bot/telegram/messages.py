"""Messages that are not commands: her code word, the answer to a question, a pin, a live
location that moved, or something else."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.core import checkins, safety
from bot.core.records import Location
from bot.telegram.checkins import on_details_text, on_duration_text, on_pin_check_text
from bot.telegram.common import Context, fixed_reply
from bot.telegram.networks import ASK_AREA_PIN, on_area_pin, use_code
from bot.telegram.safety import on_duress_pin_text, on_new_pin_text, save_codeword
from bot.telegram.start import save_alias
from bot.telegram.warn_form import on_warn_other, on_warn_pin, on_warn_text
from bot.telegram.warnings import check, on_moderation_text

MAX_TEXT = 4096


async def on_text(update: Update, context: Context) -> None:
    """Her code word first, whatever she was asked; else the answer to the question she was
    asked last (kept in the database)."""
    member = context.member
    message = update.effective_message
    if member is None or message is None or message.text is None:
        return
    text = message.text[:MAX_TEXT]
    conversation = member.conversation
    step = conversation.step if conversation else None
    data = conversation.data if conversation else {}
    if step != "codeword.phrase":  # while choosing a new phrase, the old one is not an alarm
        reply = await safety.heard_codeword(context.work, member, text)
        if reply is not None:
            if reply != "none":
                await context.say(f"codeword.reply.{reply}")
            return
    if step == "alias":
        await save_alias(context, member, text)
    elif step == "checkin.duration":
        await on_duration_text(context, member, text, message)
    elif step == "checkin.details":
        if not await on_details_text(context, member, data.get("checkin_id", ""), text, message):
            await context.say("hint.free_text")
    elif step == "codeword.phrase":
        await save_codeword(context, member, text, message)
    elif step == "pin.new":
        await on_new_pin_text(context, member, text, message)
    elif step == "pin.duress":
        await on_duress_pin_text(context, member, data.get("safe", ""), text, message)
    elif step == "pin.check":
        await on_pin_check_text(context, member, data, text, message)
    elif step and step.startswith("warn."):
        await on_warn_text(context, member, step, text, message)
    elif step == "check.phone":
        await check(context, member, text)
        await context.delete(message)
    elif step == "network.code":
        await use_code(context, member, text)
    elif step == "moderation.edit":
        await on_moderation_text(context, member, data.get("warning_id", ""), text, message)
    else:
        await context.say("hint.free_text")


async def on_location(update: Update, context: Context) -> None:
    """A pin, or the start of a live location, goes with her running check-in."""
    member = context.member
    message = update.effective_message
    if member is None or message is None or message.location is None:
        return
    shared = message.location
    step = member.conversation.step if member.conversation else None
    if step == ASK_AREA_PIN.step and not shared.live_period:
        await on_area_pin(context, member, shared.latitude, shared.longitude)
        return
    if step and step.startswith("warn.") and not shared.live_period:
        if await on_warn_pin(context, member, shared.latitude, shared.longitude):
            return
    point = Location(shared.latitude, shared.longitude)
    if not await checkins.move_location(context.work, member, point):
        await context.say("hint.location_without_checkin")
    elif shared.live_period:
        await context.say("checkin.live_location_saved")
    else:
        await context.say("checkin.location_saved")


async def on_live_location(update: Update, context: Context) -> None:
    """Her live location moved (Telegram edits the message): keep only the newest point,
    silently; nothing is kept once her check-in is over."""
    member = context.member
    message = update.edited_message
    if member is None or message is None or message.location is None:
        return
    point = Location(message.location.latitude, message.location.longitude)
    await checkins.move_location(context.work, member, point)


async def on_other(update: Update, context: Context) -> None:
    """A photo, a sticker, a voice note: in the middle of a form, the form goes on."""
    member = context.member
    if member is None:
        return
    step = member.conversation.step if member.conversation else ""
    if step.startswith("warn."):
        await on_warn_other(context, member)
    else:
        await context.say("hint.not_understood")


def handlers() -> list[BaseHandler]:
    private_new = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    private_edit = filters.ChatType.PRIVATE & filters.UpdateType.EDITED_MESSAGE
    return [
        MessageHandler(private_new & filters.TEXT & ~filters.COMMAND, on_text),
        MessageHandler(private_new & filters.LOCATION, on_location),
        MessageHandler(private_edit & filters.LOCATION, on_live_location),
        MessageHandler(private_new & filters.COMMAND, fixed_reply("hint.unknown_command")),
        MessageHandler(private_new & ~filters.TEXT & ~filters.LOCATION, on_other),
    ]
