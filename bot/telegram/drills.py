"""/simulacro (/drill): she picks the alarm to rehearse and who receives it; then the real
flow runs on a 1-minute check-in (bot/core/drills.py)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.core import drills, safety
from bot.core.context import Refused
from bot.core.records import Alarm, Member
from bot.telegram.checkins import _confirm, length
from bot.telegram.commands import names
from bot.telegram.common import Context, keyboard, label, pressed, stale

_AUDIENCES = {"c": False, "p": True}  # her contacts receive it marked; or she alone sees it


async def on_drill_command(update: Update, context: Context) -> None:
    """The alarms she can rehearse, one button each."""
    member = context.member
    if member is None:
        return
    rows = [[(label(member, f"drill.kind.{kind}"), f"dr:k:{kind}")] for kind in drills.KINDS]
    await context.say("drill.choose", keyboard(rows))


async def on_drill_button(update: Update, context: Context) -> None:
    """dr:k:<alarm>: who receives it; dr:go:<alarm>:<c|p>: the drill starts."""
    member, parts = pressed(update, context, "dr")
    if not parts:
        return
    kind = _kind(parts[1]) if len(parts) >= 2 else None
    if parts[0] == "k" and len(parts) == 2 and kind is not None:
        rows = [
            [(label(member, "drill.audience.contacts"), f"dr:go:{kind}:c")],
            [(label(member, "drill.audience.private"), f"dr:go:{kind}:p")],
        ]
        await context.say("drill.audience", keyboard(rows))
    elif parts[0] == "go" and len(parts) == 3 and kind is not None and parts[2] in _AUDIENCES:
        await _start(context, member, kind, _AUDIENCES[parts[2]])
    else:
        stale(context)


def _kind(value: str) -> Alarm | None:
    return next((kind for kind in drills.KINDS if kind.value == value), None)


async def _start(context: Context, member: Member, kind: Alarm, private: bool) -> None:
    """The drill's check-in starts as any other (her chat shows the same); then what to do.
    A code word or PIN drill needs the code word or the PINs first."""
    settings = await safety.settings(context.work, member)
    if kind == Alarm.CODEWORD and not settings.has_codeword:
        await context.say("drill.error.no_codeword")
        return
    if kind in (Alarm.DURESS, Alarm.PIN_FAILED) and not settings.has_pins:
        await context.say("drill.error.no_pins")
        return
    started = await drills.start_drill(context.work, member, kind, private)
    if isinstance(started, Refused):
        await context.refuse(started)
        return
    duration = started.checkin.deadline_at - started.checkin.started_at
    await _confirm(context, member, started, duration)
    await context.say(f"drill.started.{kind}", duration=length(member.language, duration))


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler(names("drill"), on_drill_command),
        CallbackQueryHandler(on_drill_button, pattern=r"^dr:"),
    ]
