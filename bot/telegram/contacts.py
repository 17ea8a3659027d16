"""Inviting, listing, removing and leaving trusted contacts."""

from __future__ import annotations

from dataclasses import replace

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.core import contacts
from bot.core.context import Refused
from bot.core.records import Member
from bot.i18n import t
from bot.telegram.alias_first import alias_first
from bot.telegram.commands import names
from bot.telegram.common import (
    Context,
    keyboard,
    label,
    pressed,
    stale,
)
from bot.telegram.context import reply
from bot.telegram.render import label_or_default


@alias_first("invite")
async def on_invite_command(update: Update, context: Context) -> None:
    """/invite [name]: a single-use link to forward to someone she trusts."""
    member = context.member
    if member is None:
        return
    label = " ".join(context.args) if context.args else None
    created = await contacts.create_invite(context.work, member, label)
    if isinstance(created, Refused):
        await context.refuse(created)
        return
    link = f"https://t.me/{context.bot.username}?start={created.token}"
    # Under a nonce of its own: once the link is used, this message is found and rewritten.
    said = reply(member.id, "invite.created", None, False, {"link": link})
    await context.notify(replace(said, nonce=created.link_nonce))


async def on_contacts_command(update: Update, context: Context) -> None:
    """/contacts: her contacts with remove buttons, and whom she is a contact for."""
    member = context.member
    if member is None:
        return
    view = await contacts.list_contacts(context.work, member)
    lang = member.language
    if view.mine:
        names = "\n".join(f"• {label_or_default(member, label)}" for _, label in view.mine)
        rows = [
            [
                (
                    t(lang, "contacts.button.remove", label=label_or_default(member, label)),
                    f"ct:rm:{contact.id}",
                )
            ]
            for contact, label in view.mine
        ]
        await context.say("contacts.list.mine", keyboard(rows), names=names)
        await say_unreachable(context, member)
    else:
        await context.say("contacts.list.empty")
    if view.theirs:
        names = "\n".join(f"• {alias}" for _, alias in view.theirs)
        rows = [
            [(label(member, "contacts.button.leave", alias=alias), f"ct:leave:{link.id}")]
            for link, alias in view.theirs
        ]
        await context.say("contacts.list.theirs", keyboard(rows), names=names)


async def on_contact_button(update: Update, context: Context) -> None:
    """Remove one of her contacts, or stop being somebody's contact."""
    member, parts = pressed(update, context, "ct")
    if len(parts) != 2 or parts[0] not in ("rm", "leave"):
        if parts:  # not answered yet
            stale(context)
        return
    action, row_id = parts
    if action == "rm":
        removed = await contacts.remove_contact(context.work, member, row_id)
        if isinstance(removed, Refused):
            await context.refuse(removed)
        else:
            await context.say(
                "contacts.removed_ok",
                label=label_or_default(member, removed.label),
            )
    elif action == "leave":
        left = await contacts.leave(context.work, member, row_id)
        if isinstance(left, Refused):
            await context.refuse(left)
        else:
            await context.say("contacts.left_ok", alias=left)


async def on_confirm_button(update: Update, context: Context) -> None:
    """"✓ Sí" or "✗ No": is the account that accepted her invitation her contact? The
    question loses its buttons once answered."""
    member, parts = pressed(update, context, "cf")
    if len(parts) != 2 or parts[0] not in ("y", "n"):
        if parts:  # not answered yet
            stale(context)
        return
    answer, token = parts
    if answer == "y":
        confirmed = await contacts.confirm_contact(context.work, member, token)
        if isinstance(confirmed, Refused):
            await context.refuse(confirmed)
            return
        await context.say(
            "contacts.confirmed_ok", label=label_or_default(member, confirmed.label)
        )
    else:
        rejected = await contacts.reject_contact(context.work, member, token)
        if rejected is not None:
            await context.refuse(rejected)
            return
        await context.say("contacts.rejected_ok")
    query = update.callback_query
    if query is not None:
        context.after_commit(lambda: query.edit_message_reply_markup(None))


async def say_unreachable(context: Context, member: Member) -> None:
    """Her contacts Telegram no longer delivers to (they blocked the bot, or are gone):
    named whenever she starts a check-in or opens /contacts, in neutral words, unless an
    alarm her chat must not show is on (then they wait until it is over)."""
    labels = await contacts.unreachable_now(context.work, member)
    if labels:
        who = ", ".join(label_or_default(member, label) for label in labels)
        await context.say("contacts.unreachable_now", names=who)


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler(names("invite"), on_invite_command),
        CommandHandler(names("contacts"), on_contacts_command),
        CallbackQueryHandler(on_contact_button, pattern=r"^ct:"),
        CallbackQueryHandler(on_confirm_button, pattern=r"^cf:"),
    ]
