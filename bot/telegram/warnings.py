"""Warnings in Telegram: /check, moderation with /pending, and the buttons under a
published warning. The /warn form is in warn_form.py."""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.core import networks, warnings
from bot.core.context import Refused
from bot.core.records import Conversation, Member
from bot.core.warnings import ToReview
from bot.i18n import t
from bot.telegram.commands import names
from bot.telegram.common import (
    Context,
    keyboard,
    pressed,
    stale,
)
from bot.telegram.render import warning_text
from bot.telegram.steps import Step, StepHandlers

# /check


async def on_check_command(update: Update, context: Context) -> None:
    """/check <phone or plate>: the warnings about it; her message is deleted."""
    member = context.member
    if member is None:
        return
    if context.args:
        await check(context, member, " ".join(context.args))
        await context.delete(update.effective_message)
    else:
        context.converse(Conversation(Step.CHECK_PHONE))
        await context.say("check.ask")


async def check(context: Context, member: Member, text: str) -> None:
    if member.conversation and member.conversation.step == Step.CHECK_PHONE:
        context.converse(None)
    checked = await warnings.check_client(context.work, member, text)
    if isinstance(checked, Refused):
        await context.refuse(checked)
        return
    plate = ".plate" if checked.what == "plate" else ""
    found = checked.found
    if not found:
        await context.say("check.none" + plate)
        return
    lang = member.language
    kinds = sorted({t(lang, f"warning.kind.{f.warning.body.get('kind', 'other')}") for f in found})
    items = "\n\n".join(
        warning_text(lang, warnings.warning_params(f.warning, f.network)) for f in found
    )
    await context.say(
        "check.found" + plate,
        None,
        True,
        count=len(found),
        kinds=", ".join(kinds),
        items=items,
    )


async def on_phone_text(
    context: Context, member: Member, at: Conversation, text: str, message: Message
) -> bool:
    """The number or plate she was asked for after /check; her message is deleted."""
    await check(context, member, text)
    await context.delete(message)
    return True


# Moderation


async def on_pending_command(update: Update, context: Context) -> None:
    """/pending (or /approve): the oldest warning waiting, with its decisions."""
    member = context.member
    if member is not None:
        await show_next_to_review(context, member)


async def show_next_to_review(context: Context, member: Member) -> None:
    item = await warnings.next_to_review(context.work, member)
    if item is not None:
        await show_review(context, member, item)
        return
    mine = await networks.my_networks(context.work, member)
    coordinates = any(n.is_coordinator for n in mine)
    await context.say("moderation.empty" if coordinates else "network.error.not_coordinator")


async def show_review(context: Context, member: Member, item: ToReview) -> None:
    """A warning with a coordinator's decisions: a new one (publish, trust its author, fix,
    reject), or one already published (keep, remove)."""
    lang, w = member.language, item.warning.id
    if item.warning.status == "pending":
        rows = [
            [(t(lang, "button.approve"), f"mo:approve:{w}")],
            [(t(lang, "button.approve_trust"), f"mo:trust:{w}")],
            [(t(lang, "button.edit"), f"mo:edit:{w}")],
            [(t(lang, "button.reject"), f"mo:reject:{w}")],
        ]
        key = "moderation.pending"
    else:
        rows = [
            [(t(lang, "button.keep"), f"mo:keep:{w}")],
            [(t(lang, "button.remove_warning"), f"mo:remove:{w}")],
        ]
        key = "moderation.flagged" if item.warning.status == "flagged" else "moderation.published"
    text = warning_text(lang, warnings.warning_params(item.warning, item.network))
    await context.say(
        key,
        keyboard(rows),
        True,
        warning=text,
        waiting=item.waiting,
        count=item.warning.flags,
    )


async def on_moderation_button(update: Update, context: Context) -> None:
    member, parts = pressed(update, context, "mo")
    if len(parts) != 2:
        if parts:  # not answered yet
            stale(context)
        return
    decision, warning_id = parts
    core = context.work
    if decision == "edit":
        step = Conversation(Step.MODERATION_EDIT, {"warning_id": warning_id})
        context.converse(step)
        await context.say("moderation.ask_text")
        return
    decided = await warnings.decide(core, member, warning_id, decision)
    if isinstance(decided, Refused):
        await context.refuse(decided)
    else:
        await context.say(f"moderation.done.{decided}")
    await show_next_to_review(context, member)


async def on_moderation_text(
    context: Context, member: Member, at: Conversation, text: str, message: Message
) -> bool:
    """A coordinator's new text for a waiting warning; then it is shown again."""
    warning_id = at.data.get("warning_id", "")
    edited = await warnings.edit_text(context.work, member, warning_id, text)
    if isinstance(edited, Refused):
        await context.refuse(edited)
        return True
    context.converse(None)
    await context.delete(message)
    await context.say("moderation.edited")
    await show_next_to_review(context, member)
    return True


async def on_warning_button(update: Update, context: Context) -> None:
    """Under a published warning: "it happened to me too", or a flag."""
    member, parts = pressed(update, context, "wn")
    if len(parts) != 2 or parts[0] not in ("me", "flag"):
        if parts:  # not answered yet
            stale(context)
        return
    what = "me_too" if parts[0] == "me" else "flags"
    if what == "flags":  # a coordinator of its network decides at once instead
        item = await warnings.to_review(context.work, member, parts[1])
        if not isinstance(item, Refused):
            await show_review(context, member, item)
            return
    counted = await warnings.mark(context.work, member, parts[1], what)
    if isinstance(counted, Refused):
        await context.refuse(counted)
    else:
        await context.say(f"warning.marked.{what}", count=counted)


def steps() -> dict[Step, StepHandlers]:
    return {
        Step.CHECK_PHONE: StepHandlers(text=on_phone_text),
        Step.MODERATION_EDIT: StepHandlers(text=on_moderation_text),
    }


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler(names("check"), on_check_command),
        CommandHandler(names("pending"), on_pending_command),
        CallbackQueryHandler(on_moderation_button, pattern=r"^mo:"),
        CallbackQueryHandler(on_warning_button, pattern=r"^wn:"),
    ]
