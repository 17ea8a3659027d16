"""Shift partners: /turno starts a shift or gives another link to it, /turno fin leaves it;
a link opened with /start offers to join, and "Me uno" joins."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.core import members, shifts
from bot.core.context import Refused
from bot.core.records import Member
from bot.i18n import t
from bot.telegram import alias_first, notes
from bot.telegram.commands import names
from bot.telegram.common import Context, keyboard, pressed, stale

LINK_PREFIX = "turno_"
LEAVE_WORDS = frozenset({"fin", "end", "salir", "leave", "terminar", "stop"})


def is_shift_token(start_parameter: str) -> bool:
    """A shift link (`turno_` and a token): never a contact invitation, whose token is 32
    characters in all."""
    token = start_parameter[len(LINK_PREFIX) :]
    return start_parameter.startswith(LINK_PREFIX) and 22 <= len(token) <= 43


@alias_first.alias_first("shift")
async def on_shift_command(update: Update, context: Context) -> None:
    """/turno: a single-use link for a partner (starting her shift if she is in none);
    /turno fin: she leaves it."""
    member = context.member
    if member is None:
        return
    if context.args and context.args[0].lower() in LEAVE_WORDS:
        left = await shifts.leave(context.work, member)
        await context.refuse(left) if left else await context.say("shift.left_ok")
        return
    made = await shifts.new_link(context.work, member)
    if isinstance(made, Refused):
        await context.refuse(made)
        return
    link = f"https://t.me/{context.bot.username}?start={LINK_PREFIX}{made.token}"
    key = "shift.started" if made.started else "shift.link"
    await context.say(key, share_toggle(member), link=link)


def share_toggle(member: Member) -> InlineKeyboardMarkup:
    """Whether her partners see her details and location (☑) or only her alias and her
    time (☐, the default); a tap turns it around."""
    lang = member.language
    if member.share_partners:
        return keyboard([[(t(lang, "button.shift_share_is_on"), "tp:off")]])
    return keyboard([[(t(lang, "button.shift_share_is_off"), "tp:on")]])


async def on_share_button(update: Update, context: Context) -> None:
    """tp:on, tp:off: her choice, remembered in her sealed settings."""
    member, parts = pressed(update, context, "tp")
    if parts not in (["on"], ["off"]):
        if parts:
            stale(context)
        return
    saved = await members.set_share_partners(context.work, member, parts[0] == "on")
    key = "shift.share.saved_on" if saved.share_partners else "shift.share.saved_off"
    await context.say(key, share_toggle(saved))
    query = update.callback_query
    if query is not None:
        context.after_commit(lambda: query.edit_message_reply_markup(None))


async def open_link(context: Context, member: Member, parameter: str) -> None:
    """She opened a partner's link: who is in the shift, and "Me uno" / "No"."""
    offer = await shifts.open_link(context.work, parameter[len(LINK_PREFIX) : 64], member)
    if isinstance(offer, Refused):
        await context.refuse(offer)
        return
    lang = member.language
    buttons = keyboard(
        [
            [(t(lang, "button.shift_join"), f"tu:ok:{offer.pass_id}")],
            [(t(lang, "button.shift_no"), f"tu:no:{offer.pass_id}")],
        ]
    )
    await context.say("shift.offer", buttons, names=", ".join(offer.aliases))


async def on_shift_button(update: Update, context: Context) -> None:
    """ "Me uno" or "No" under a shift's offer."""
    member, parts = pressed(update, context, "tu")
    if len(parts) != 2 or parts[0] not in ("ok", "no"):
        if parts:  # not answered yet
            stale(context)
        return
    answer, pass_id = parts
    if answer == "ok":
        await _join(context, member, pass_id)
    else:
        declined = await shifts.decline(context.work, pass_id, member)
        await context.refuse(declined) if declined else await context.say("shift.declined_ok")
    query = update.callback_query
    if query is not None:
        context.after_commit(lambda: query.edit_message_reply_markup(None))


async def _join(context: Context, member: Member, pass_id: str) -> None:
    joined = await shifts.accept(context.work, pass_id, member)
    if isinstance(joined, shifts.AliasNeeded):
        await alias_first.ask_alias_first(context, "shift_join", pass_id)
    elif isinstance(joined, Refused):
        await context.refuse(joined)
    else:
        names = ", ".join(p.alias for p in joined)
        await context.say("shift.joined_ok", share_toggle(member), names=names)


async def _join_after_alias(update: Update, context: Context) -> None:
    """Her alias is given: join the shift whose "Me uno" she had tapped."""
    if context.member is not None and context.args:
        await _join(context, context.member, context.args[0])


alias_first.later("shift_join", _join_after_alias)


async def on_going_button(update: Update, context: Context) -> None:
    """ "Voy" under a partner's missed deadline: the others and her contacts are told."""
    member, parts = pressed(update, context, "sv")
    if len(parts) != 2 or parts[0] != "go":
        if parts:  # not answered yet
            stale(context)
        return
    went = await shifts.going(context.work, member, parts[1])
    if isinstance(went, Refused):
        await context.refuse(went)
        return
    await context.say("shift.going_ok", alias=went)
    query = update.callback_query
    if query is not None:
        context.after_commit(lambda: query.edit_message_reply_markup(None))


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler(names("shift"), on_shift_command),
        CallbackQueryHandler(on_shift_button, pattern=r"^tu:"),
        CallbackQueryHandler(on_going_button, pattern=r"^sv:"),
        CallbackQueryHandler(on_share_button, pattern=r"^tp:"),
        *notes.handlers(),
    ]
