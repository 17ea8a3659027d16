"""Messages that are not commands: free text, a location, a contact card, a live location
that moved, or something else. What each means is looked up: the order of interpretation
in bot/telegram/interpretation.py, the steps in each feature's `steps()`."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.core import checkins as checkin_rules
from bot.core.records import Location
from bot.telegram import (
    checkins,
    done_words,
    networks,
    notes,
    private_record,
    safety,
    start,
    support,
    warn_form,
    warnings,
)
from bot.telegram.common import Context, fixed_reply
from bot.telegram.interpretation import CONTACT, LOCATION, OTHER, TEXT, Heard, Reading, interpret
from bot.telegram.steps import StepTable

Handler = Callable[[Update, Context], Coroutine[Any, Any, None]]


def step_table() -> StepTable:
    """Every feature's steps."""
    return StepTable(
        start.steps(),
        checkins.steps(),
        done_words.steps(),
        safety.steps(),
        networks.steps(),
        notes.steps(),
        warn_form.steps(),
        warnings.steps(),
        private_record.steps(),
        support.steps(),
    )


def reading(table: StepTable, readings: Sequence[Reading]) -> Handler:
    """A handler that reads her message at her step, in the given order."""

    async def on_message(update: Update, context: Context) -> None:
        member = context.member
        message = update.effective_message
        if member is None or message is None:
            return
        at = member.conversation
        await interpret(readings, context, Heard(member, at, table.at(at), message))

    return on_message


async def on_live_location(update: Update, context: Context) -> None:
    """Her live location moved (Telegram edits the message): keep only the newest point,
    silently; nothing is kept once her check-in is over."""
    member = context.member
    message = update.edited_message
    if member is None or message is None or message.location is None:
        return
    point = Location(message.location.latitude, message.location.longitude)
    await checkin_rules.move_location(context.work, member, point)


def handlers() -> list[BaseHandler]:
    table = step_table()
    private = filters.ChatType.PRIVATE
    private_new = private & filters.UpdateType.MESSAGE
    private_edit = private & filters.UpdateType.EDITED_MESSAGE
    return [
        MessageHandler(private_new & filters.TEXT & ~filters.COMMAND, reading(table, TEXT)),
        MessageHandler(private_new & filters.LOCATION, reading(table, LOCATION)),
        MessageHandler(private_edit & filters.LOCATION, on_live_location),
        MessageHandler(private & filters.CONTACT, reading(table, CONTACT)),
        MessageHandler(private_new & filters.COMMAND, fixed_reply("hint.unknown_command")),
        MessageHandler(private_new & ~filters.TEXT & ~filters.LOCATION, reading(table, OTHER)),
    ]
