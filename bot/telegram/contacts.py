"""Inviting, listing, removing and leaving trusted contacts."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.core import contacts
from bot.core.context import Refused
from bot.i18n import t
from bot.telegram.common import (
    Context,
    core_of,
    keyboard,
    member_of,
    pressed,
    refuse,
    say,
)
from bot.telegram.render import label_or_default


async def on_invite_command(update: Update, context: Context) -> None:
    """/invite [name]: a single-use link to forward to someone she trusts."""
    member = await member_of(update, context)
    if member is None:
        return
    label = " ".join(context.args) if context.args else None
    created = await contacts.create_invite(core_of(context), member, label)
    if isinstance(created, Refused):
        await refuse(context, member, created)
        return
    link = f"https://t.me/{context.bot.username}?start={created.token}"
    await say(context, member, "invite.created", link=link)


async def on_contacts_command(update: Update, context: Context) -> None:
    """/contacts: her contacts with remove buttons, and whom she is a contact for."""
    member = await member_of(update, context)
    if member is None:
        return
    view = await contacts.list_contacts(core_of(context), member)
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
        await say(context, member, "contacts.list.mine", keyboard(rows), names=names)
    else:
        await say(context, member, "contacts.list.empty")
    if view.theirs:
        names = "\n".join(f"• {alias}" for _, alias in view.theirs)
        rows = [
            [(t(lang, "contacts.button.leave", alias=alias), f"ct:leave:{link.id}")]
            for link, alias in view.theirs
        ]
        await say(context, member, "contacts.list.theirs", keyboard(rows), names=names)


async def on_contact_button(update: Update, context: Context) -> None:
    """Remove one of her contacts, or stop being somebody's contact."""
    member, parts = await pressed(update, context, "ct")
    if len(parts) != 2:
        return
    action, row_id = parts
    if action == "rm":
        removed = await contacts.remove_contact(core_of(context), member, row_id)
        if isinstance(removed, Refused):
            await refuse(context, member, removed)
        else:
            await say(
                context,
                member,
                "contacts.removed_ok",
                label=label_or_default(member, removed.label),
            )
    elif action == "leave":
        left = await contacts.leave(core_of(context), member, row_id)
        if isinstance(left, Refused):
            await refuse(context, member, left)
        else:
            await say(context, member, "contacts.left_ok", alias=left)


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("invite", on_invite_command),
        CommandHandler("contacts", on_contacts_command),
        CallbackQueryHandler(on_contact_button, pattern=r"^ct:"),
    ]
