"""Warnings in Telegram: /check, moderation with /pending, and the buttons under a
published warning. The /warn form is in warn_form.py."""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.core import members, networks, warnings
from bot.core.context import Refused
from bot.core.warnings import ToReview
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
from bot.telegram.render import warning_text
from storage.records import Conversation, Member

# /check


async def on_check_command(update: Update, context: Context) -> None:
    """/check <phone>: the warnings about that number; her message is deleted."""
    member = await member_of(update, context)
    if member is None:
        return
    if context.args:
        await check(context, member, " ".join(context.args))
        await delete_quietly(update.effective_message)
    else:
        await members.set_conversation(core_of(context), member, Conversation("check.phone"))
        await say(context, member, "check.ask")


async def check(context: Context, member: Member, text: str) -> None:
    if member.conversation and member.conversation.step == "check.phone":
        await members.set_conversation(core_of(context), member, None)
    found = await warnings.check_phone(core_of(context), member, text)
    if isinstance(found, Refused):
        await refuse(context, member, found)
        return
    if not found:
        await say(context, member, "check.none")
        return
    lang = member.language
    kinds = sorted({t(lang, f"warning.kind.{f.warning.body.get('kind', 'other')}") for f in found})
    items = "\n\n".join(
        warning_text(lang, warnings.warning_params(f.warning, f.network)) for f in found
    )
    await say(
        context,
        member,
        "check.found",
        None,
        True,
        n=len(found),
        kinds=", ".join(kinds),
        items=items,
    )


# Moderation


async def on_pending_command(update: Update, context: Context) -> None:
    """/pending (or /approve): the oldest warning waiting, with its decisions."""
    member = await member_of(update, context)
    if member is not None:
        await show_next_to_review(context, member)


async def show_next_to_review(context: Context, member: Member) -> None:
    item = await warnings.next_to_review(core_of(context), member)
    if item is not None:
        await show_review(context, member, item)
        return
    mine = await networks.my_networks(core_of(context), member)
    coordinates = any(n.is_coordinator for n in mine)
    await say(
        context, member, "moderation.empty" if coordinates else "network.error.not_coordinator"
    )


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
    await say(
        context,
        member,
        key,
        keyboard(rows),
        True,
        warning=text,
        waiting=item.waiting,
        flags=item.warning.flags,
    )


async def on_moderation_button(update: Update, context: Context) -> None:
    member, parts = await pressed(update, context, "mo")
    if len(parts) != 2:
        return
    decision, warning_id = parts
    core = core_of(context)
    if decision == "edit":
        step = Conversation("moderation.edit", {"warning_id": warning_id})
        await members.set_conversation(core, member, step)
        await say(context, member, "moderation.ask_text")
        return
    decided = await warnings.decide(core, member, warning_id, decision)
    if isinstance(decided, Refused):
        await refuse(context, member, decided)
    else:
        await say(context, member, f"moderation.done.{decided}")
    await show_next_to_review(context, member)


async def on_moderation_text(
    context: Context, member: Member, warning_id: str, text: str, message: Message
) -> None:
    """A coordinator's new text for a waiting warning; then it is shown again."""
    edited = await warnings.edit_text(core_of(context), member, warning_id, text)
    if isinstance(edited, Refused):
        await refuse(context, member, edited)
        return
    await members.set_conversation(core_of(context), member, None)
    await delete_quietly(message)
    await say(context, member, "moderation.edited")
    await show_next_to_review(context, member)


async def on_warning_button(update: Update, context: Context) -> None:
    """Under a published warning: "it happened to me too", or a flag."""
    member, parts = await pressed(update, context, "wn")
    if len(parts) != 2 or parts[0] not in ("me", "flag"):
        return
    what = "me_too" if parts[0] == "me" else "flags"
    if what == "flags":  # a coordinator of its network decides at once instead
        item = await warnings.to_review(core_of(context), member, parts[1])
        if not isinstance(item, Refused):
            await show_review(context, member, item)
            return
    counted = await warnings.mark(core_of(context), member, parts[1], what)
    if isinstance(counted, Refused):
        await refuse(context, member, counted)
    else:
        await say(context, member, f"warning.marked.{what}", n=counted)


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("check", on_check_command),
        CommandHandler(["pending", "approve"], on_pending_command),
        CallbackQueryHandler(on_moderation_button, pattern=r"^mo:"),
        CallbackQueryHandler(on_warning_button, pattern=r"^wn:"),
    ]
