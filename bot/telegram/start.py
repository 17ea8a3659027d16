"""Opening the bot: greeting, alias, language, privacy, help, and invitation links."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.core import contacts, members
from bot.core.context import Refused
from bot.i18n import clock_time, languages, t
from bot.telegram import networks
from bot.telegram.common import (
    Context,
    core_of,
    fixed_reply,
    keyboard,
    member_of,
    pressed,
    refuse,
    say,
)
from storage.records import Conversation, Member

ASK_ALIAS = Conversation("alias")


async def on_start_command(update: Update, context: Context) -> None:
    """/start greets her and asks for an alias; /start <token> opens an invitation."""
    member = await member_of(update, context)
    if member is None:
        return
    if context.args and networks.is_network_code(context.args[0]):
        await networks.use_code(context, member, context.args[0])
    elif context.args:
        await _open_invite(context, member, context.args[0])
    elif member.alias is None:
        await members.set_conversation(core_of(context), member, ASK_ALIAS)
        await say(context, member, "start.welcome")
        await say(context, member, "start.ask_alias")
    else:
        await say(context, member, "start.back", alias=member.alias)


async def _open_invite(context: Context, member: Member, token: str) -> None:
    view = await contacts.open_invite(core_of(context), token[:64], member)
    if isinstance(view, Refused):
        await refuse(context, member, view)
        return
    buttons = keyboard(
        [
            [(t(member.language, "button.accept"), f"iv:ok:{view.invite_id}")],
            [(t(member.language, "button.decline"), f"iv:no:{view.invite_id}")],
        ]
    )
    await say(context, member, "invite.offer", buttons, alias=view.worker_alias)


async def on_invite_button(update: Update, context: Context) -> None:
    """Accept or decline an invitation from its buttons."""
    member, parts = await pressed(update, context, "iv")
    if len(parts) != 2:
        return
    answer, invite_id = parts
    if answer == "ok":
        accepted = await contacts.accept_invite(core_of(context), invite_id, member)
        if isinstance(accepted, Refused):
            await refuse(context, member, accepted)
        else:
            await say(context, member, "invite.accepted", alias=accepted.worker_alias)
    else:
        declined = await contacts.decline_invite(core_of(context), invite_id, member)
        await refuse(context, member, declined) if declined else await say(
            context, member, "invite.declined"
        )


async def on_alias_command(update: Update, context: Context) -> None:
    """/alias <name> changes the name her contacts see; /alias alone asks for it."""
    member = await member_of(update, context)
    if member is None:
        return
    if context.args:
        await save_alias(context, member, " ".join(context.args))
    else:
        await members.set_conversation(core_of(context), member, ASK_ALIAS)
        await say(context, member, "start.ask_alias")


async def save_alias(context: Context, member: Member, text: str) -> None:
    saved = await members.set_alias(core_of(context), member, text)
    if isinstance(saved, Refused):
        await refuse(context, member, saved)
    else:
        await say(context, member, "alias.saved", alias=saved.alias)


async def on_language_command(update: Update, context: Context) -> None:
    member = await member_of(update, context)
    if member is None:
        return
    rows = [[(t(code, "language.name"), f"lg:{code}")] for code in languages()]
    await say(context, member, "language.choose", keyboard(rows))


async def on_language_button(update: Update, context: Context) -> None:
    member, parts = await pressed(update, context, "lg")
    if len(parts) != 1:
        return
    saved = await members.set_language(core_of(context), member, parts[0])
    if isinstance(saved, Refused):
        await refuse(context, member, saved)
    else:
        await say(context, saved, "language.saved")


async def on_timezone_command(update: Update, context: Context) -> None:
    """/timezone: buttons with the zones she may be in, the current one marked."""
    member = await member_of(update, context)
    if member is None:
        return
    rows = [
        [(("✓ " if zone == member.timezone else "") + zone_name(zone), f"tz:{index}")]
        for index, zone in enumerate(members.ZONES)
    ]
    await say(
        context,
        member,
        "timezone.choose",
        keyboard(rows),
        now=clock_time(core_of(context).clock.now(), member.language, member.timezone),
    )


async def on_timezone_button(update: Update, context: Context) -> None:
    member, parts = await pressed(update, context, "tz")
    if len(parts) != 1 or not parts[0].isdigit():
        return
    index = int(parts[0])
    zone = members.ZONES[index] if index < len(members.ZONES) else ""
    saved = await members.set_timezone(core_of(context), member, zone)
    if isinstance(saved, Refused):
        await refuse(context, member, saved)
    else:
        await say(
            context,
            saved,
            "timezone.saved",
            zone=zone_name(zone),
            now=clock_time(core_of(context).clock.now(), saved.language, zone),
        )


def zone_name(zone: str) -> str:
    """America/Argentina/Buenos_Aires -> Buenos Aires."""
    return zone.rsplit("/", 1)[-1].replace("_", " ")


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("start", on_start_command),
        CommandHandler("alias", on_alias_command),
        CommandHandler("privacy", fixed_reply("privacy.text")),
        CommandHandler("language", on_language_command),
        CommandHandler("timezone", on_timezone_command),
        CallbackQueryHandler(on_timezone_button, pattern=r"^tz:"),
        CallbackQueryHandler(on_invite_button, pattern=r"^iv:"),
        CallbackQueryHandler(on_language_button, pattern=r"^lg:"),
    ]
