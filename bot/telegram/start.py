"""Opening the bot: greeting, alias, language, privacy, help, and invitation links."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.core import contacts, members, zones
from bot.core.contacts import AliasNeeded
from bot.core.context import Refused
from bot.core.records import Address, Conversation, Member
from bot.i18n import clock_time, languages, t, zone_name
from bot.telegram import alias_first, networks, shifts
from bot.telegram.commands import names, refresh_chat_menu
from bot.telegram.common import (
    Context,
    keyboard,
    number,
    pressed,
    stale,
)
from bot.telegram.steps import Step, StepHandlers

ASK_ALIAS = Conversation(Step.ALIAS)
FIRST_ALIAS = Conversation(Step.ALIAS, {"first": "1"})  # at onboarding: the form comes next


async def on_start_command(update: Update, context: Context) -> None:
    """/start greets her and asks for an alias; /start <token> opens an invitation, a network's
    link or a shift's."""
    member = context.member
    if member is None:
        return
    if context.args and networks.is_network_code(context.args[0]):
        await networks.use_code(context, member, context.args[0])
    elif context.args and shifts.is_shift_token(context.args[0]):
        await shifts.open_link(context, member, context.args[0])
    elif context.args:
        await _open_invite(context, member, context.args[0])
    elif member.alias is None:
        context.converse(FIRST_ALIAS)
        await context.say("start.welcome")
        await context.say("start.ask_alias")
    else:
        await context.say("start.back", alias=member.alias)


async def _open_invite(context: Context, member: Member, token: str) -> None:
    view = await contacts.open_invite(context.work, token[:64], member)
    if isinstance(view, Refused):
        await context.refuse(view)
        return
    buttons = keyboard(
        [
            [(t(member.language, "button.accept"), f"iv:ok:{view.invite_id}")],
            [(t(member.language, "button.decline"), f"iv:no:{view.invite_id}")],
        ]
    )
    await context.say(
        "invite.offer", buttons, alias=view.worker_alias, about=str(view.worker_address)
    )


async def on_invite_button(update: Update, context: Context) -> None:
    """Accept or decline an invitation from its buttons."""
    member, parts = pressed(update, context, "iv")
    if len(parts) != 2 or parts[0] not in ("ok", "no"):
        if parts:  # not answered yet
            stale(context)
        return
    answer, invite_id = parts
    if answer == "ok":
        await _accept(context, member, invite_id)
    else:
        declined = await contacts.decline_invite(context.work, invite_id, member)
        await context.refuse(declined) if declined else await context.say("invite.declined")


async def _accept(context: Context, member: Member, invite_id: str) -> None:
    accepted = await contacts.accept_invite(context.work, invite_id, member)
    if isinstance(accepted, AliasNeeded):
        await alias_first.ask_alias_first(context, "accept", invite_id)
    elif isinstance(accepted, Refused):
        await context.refuse(accepted)
    else:
        await context.say("invite.waiting", alias=accepted.worker_alias)


async def _accept_after_alias(update: Update, context: Context) -> None:
    """Her alias is given: accept the invitation she had tapped."""
    if context.member is not None and context.args:
        await _accept(context, context.member, context.args[0])


alias_first.later("accept", _accept_after_alias)


async def on_alias_command(update: Update, context: Context) -> None:
    """/alias <name> changes the name her contacts see; /alias alone asks for it."""
    member = context.member
    if member is None:
        return
    if context.args:
        await save_alias(context, member, " ".join(context.args))
    else:
        context.converse(ASK_ALIAS)
        await context.say("start.ask_alias")


async def save_alias(
    context: Context, member: Member, text: str, at: Conversation | None = None
) -> None:
    """Her alias; then, at onboarding, how she wants to be spoken to; or what she was doing
    when she was asked for it."""
    saved = await members.set_alias(context.work, member, text)
    if isinstance(saved, Refused):
        await context.refuse(saved)
        return
    context.turn.member = saved
    context.converse(None)
    if at is not None and alias_first.waiting(at):
        await alias_first.resume(context, at)
    elif at is not None and at.data.get("first"):
        buttons = address_buttons(saved, first=True)
        await context.say("start.ask_address", buttons, alias=saved.alias)
    else:
        await context.say("alias.saved", alias=saved.alias)


async def on_alias_text(
    context: Context, member: Member, at: Conversation, text: str, message: Message
) -> bool:
    await save_alias(context, member, text, at)
    return True


def address_buttons(member: Member, first: bool = False) -> InlineKeyboardMarkup:
    """Ella, Él, Neutral: the current one marked (not at onboarding: none is chosen yet)."""
    rows = [
        [
            (
                ("✓ " if address == member.address and not first else "")
                + t(member.language, f"button.address.{address}"),
                f"ad:{address}" + (":first" if first else ""),
            )
        ]
        for address in Address
    ]
    return keyboard(rows)


async def on_address_command(update: Update, context: Context) -> None:
    """/trato (/address): how the bot speaks to her, and how her contacts read about her."""
    member = context.member
    if member is None:
        return
    await context.say("address.choose", address_buttons(member))


async def on_address_button(update: Update, context: Context) -> None:
    member, parts = pressed(update, context, "ad")
    if not parts:
        return
    saved = await members.set_address(context.work, member, parts[0])
    if isinstance(saved, Refused):
        await context.refuse(saved)
        return
    context.turn.member = saved
    await context.say("address.saved")
    if parts[1:] == ["first"]:
        await context.say("start.ready")


async def on_language_command(update: Update, context: Context) -> None:
    member = context.member
    if member is None:
        return
    rows = [[(t(code, "language.name"), f"lg:{code}")] for code in languages()]
    await context.say("language.choose", keyboard(rows))


async def on_language_button(update: Update, context: Context) -> None:
    member, parts = pressed(update, context, "lg")
    if len(parts) != 1:
        return
    saved = await members.set_language(context.work, member, parts[0])
    if isinstance(saved, Refused):
        await context.refuse(saved)
    else:
        await context.say("language.saved")
        if saved.discreet:
            refresh_chat_menu(context, saved)  # her neutral menu, in her new language


async def on_privacy_command(update: Update, context: Context) -> None:
    """/privacy: four plain lines, and a button for the whole of what is kept and how."""
    member = context.member
    if member is None:
        return
    more = keyboard([[(t(member.language, "button.privacy_more"), "pv:more")]])
    await context.say("privacy.text", more)


async def on_privacy_button(update: Update, context: Context) -> None:
    _, parts = pressed(update, context, "pv")
    if parts == ["more"]:
        await context.say("privacy.details")


async def on_timezone_command(update: Update, context: Context) -> None:
    """/timezone: the zones of Latin America by region, named in her language, hers
    marked; "Otra zona" shows the rest."""
    member = context.member
    if member is None:
        return
    regions = [region for _, region in zones.FIRST_SCREEN]
    shown = [zone for region in regions for zone in region]
    rows = [zone_row(row, member, shown) for region in regions for row in pairs(region)]
    rows.append([(t(member.language, "button.zone_other"), "tz:more")])
    await context.say(
        "timezone.choose",
        keyboard(rows),
        now=clock_time(context.work.clock.now(), member.language, member.timezone),
    )


def pairs(region: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Two buttons a row: a city's name fits on a narrow phone."""
    return [region[i : i + 2] for i in range(0, len(region), 2)]


def zone_row(
    row: tuple[str, ...], member: Member, shown: Sequence[str]
) -> list[tuple[str, str]]:
    """Buttons for zones: a flag and the city (or the country, when it is the only one of
    its country `shown`) in her language; hers marked."""
    return [
        (
            ("✓ " if zone == member.timezone else "") + zone_name(zone, member.language, shown),
            f"tz:{zones.ZONES.index(zone)}",
        )
        for zone in row
    ]


async def on_timezone_button(update: Update, context: Context) -> None:
    member, parts = pressed(update, context, "tz")
    if parts == ["more"]:
        rows = [zone_row(row, member, zones.OTHER_SCREEN) for row in pairs(zones.OTHER_SCREEN)]
        await context.say("timezone.choose_other", keyboard(rows))
        return
    index = number(parts[0], len(zones.ZONES) - 1) if len(parts) == 1 else None
    if index is None:
        stale(context)
        return
    zone = zones.ZONES[index]
    saved = await members.set_timezone(context.work, member, zone)
    if isinstance(saved, Refused):
        await context.refuse(saved)
    else:
        await context.say(
            "timezone.saved",
            zone=zone_name(zone, saved.language, flag=False),
            now=clock_time(context.work.clock.now(), saved.language, zone),
        )


def steps() -> dict[Step, StepHandlers]:
    return {Step.ALIAS: StepHandlers(text=on_alias_text)}


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler(names("start"), on_start_command),
        CommandHandler(names("alias"), on_alias_command),
        CommandHandler(names("address"), on_address_command),
        CallbackQueryHandler(on_address_button, pattern=r"^ad:"),
        CommandHandler(names("privacy"), on_privacy_command),
        CallbackQueryHandler(on_privacy_button, pattern=r"^pv:"),
        CommandHandler(names("language"), on_language_command),
        CommandHandler(names("timezone"), on_timezone_command),
        CallbackQueryHandler(on_timezone_button, pattern=r"^tz:"),
        CallbackQueryHandler(on_invite_button, pattern=r"^iv:"),
        CallbackQueryHandler(on_language_button, pattern=r"^lg:"),
    ]
