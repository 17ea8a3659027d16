"""The checklist before a date in Telegram: a toggle under the duration buttons of a bare
/checkin; when it is on, the lines after her check-in starts, gone with one tap. The
one-message form (/checkin 1h Hotel Sol) never shows it: she chose speed."""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.core import checklist
from bot.core.records import Member
from bot.i18n import t
from bot.telegram.common import Context, keyboard, pressed, stale


def toggle_button(member: Member) -> tuple[str, str]:
    """Under the duration buttons: ☑ when it is on (a tap turns it off), ☐ when it is off."""
    if member.checklist:
        return t(member.language, "button.checklist_is_on"), "cl:off"
    return t(member.language, "button.checklist_is_off"), "cl:on"


async def show(context: Context, member: Member) -> None:
    """The lines, after her check-in started, when she turned them on."""
    lang = member.language
    lines = await checklist.lines_for(context.work, member)
    shown = lines or tuple(t(lang, key) for key in checklist.DEFAULT_LINES)
    buttons = keyboard(
        [
            [(t(lang, "button.checklist_done"), "cl:ok")],
            [(t(lang, "button.checklist_never"), "cl:off")],
        ]
    )
    await context.say("checklist.lines", buttons, lines="\n".join(f"• {line}" for line in shown))


async def on_checklist_button(update: Update, context: Context) -> None:
    """cl:ok (gone), cl:on and cl:off (remembered)."""
    member, parts = pressed(update, context, "cl")
    if parts == ["ok"]:
        pressed_on = update.callback_query.message if update.callback_query else None
        await context.delete(pressed_on if isinstance(pressed_on, Message) else None)
    elif parts in (["on"], ["off"]):
        saved = await checklist.remember(context.work, member, parts[0] == "on")
        await context.say("checklist.saved_on" if saved.checklist else "checklist.saved_off")
    elif parts:
        stale(context)


def handlers() -> list[BaseHandler]:
    return [CallbackQueryHandler(on_checklist_button, pattern=r"^cl:")]
