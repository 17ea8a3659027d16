"""Notes for a partner in Telegram: "📝 Anotar para Luz" under the message that tells her
partners she started a check-in (or missed her time), or /anotar [Luz] [text]. The partner
types what she saw and/or sends a pin, as many as she likes up to a few, and taps "Listo".
Her friend's chat shows nothing of it."""

from __future__ import annotations

from telegram import Location, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.core import notes
from bot.core.context import Refused
from bot.core.notes import MAX_NOTE, MAX_NOTES, NoteTarget
from bot.core.records import Conversation, Member
from bot.core.records import Location as Point
from bot.telegram.commands import names
from bot.telegram.common import Context, keyboard, label, pressed, stale
from bot.telegram.steps import Step, StepHandlers


def note_step(checkin_id: str) -> Conversation:
    return Conversation(Step.SHIFT_NOTE, {"checkin_id": checkin_id})


def _done(member: Member, checkin_id: str) -> list[list[tuple[str, str]]]:
    return [[(label(member, "button.note_done"), f"sn:end:{checkin_id}")]]


async def _ask(context: Context, member: Member, target: NoteTarget) -> None:
    """Her next message is the note: text, a pin, or both, until "Listo"."""
    context.converse(note_step(target.checkin_id))
    buttons = keyboard(_done(member, target.checkin_id))
    await context.say("shift.note.ask", buttons, alias=target.alias)


async def _save(
    context: Context,
    member: Member,
    checkin_id: str,
    text: str | None,
    point: Point | None,
    message: Message | None,
) -> bool:
    """Add her note, and say so (her message leaves her screen: it may hold a plate); when
    it cannot be (the check-in ended, she is no longer her partner, too many), say why."""
    noted = await notes.add(context.work, member, checkin_id, text, point)
    if isinstance(noted, Refused):
        if noted.reason != "shift.note.empty":
            context.converse(None)
        await context.delete(message)
        await context.refuse(noted)
        return True
    if noted.left == 0:
        context.converse(None)
    buttons = keyboard(_done(member, checkin_id)) if noted.left else None
    key, most = "shift.note.saved", 0
    if noted.truncated:
        key, most = "shift.note.truncated", MAX_NOTE
    elif noted.left == 0:
        key, most = "shift.note.saved_last", MAX_NOTES
    await context.say(key, buttons, delete_first=message, alias=noted.alias, max=most)
    return True


async def on_note_button(update: Update, context: Context) -> None:
    """ "📝 Anotar para Luz" (ask for the note) or "Listo" (her note is done)."""
    member, parts = pressed(update, context, "sn")
    if len(parts) != 2 or parts[0] not in ("add", "end"):
        if parts:
            stale(context)
        return
    action, checkin_id = parts
    if action == "end":
        at = member.conversation
        if at is not None and at.step == Step.SHIFT_NOTE:
            context.converse(None)
        await context.say("shift.note.done")
        query = update.callback_query
        if query is not None:
            context.after_commit(lambda: query.edit_message_reply_markup(None))
        return
    found = await notes.target(context.work, member, checkin_id)
    if isinstance(found, Refused):
        await context.refuse(found)
        return
    await _ask(context, member, found)


def _pick(targets: list[NoteTarget], args: str) -> tuple[NoteTarget | None, str]:
    """Whose note, from what follows /anotar: a partner's alias first (the longest that
    matches), then the text; with one partner busy, her alias may be left out."""
    lowered = args.casefold()
    for target in sorted(targets, key=lambda t: len(t.alias), reverse=True):
        alias = target.alias.casefold()
        if alias and lowered.startswith(alias):
            rest = args[len(target.alias) :]
            if not rest or not rest[0].isalnum():
                return target, rest.lstrip(" :,.-\n")
    if len(targets) == 1:
        return targets[0], args
    return None, args


async def on_note_command(update: Update, context: Context) -> None:
    """/anotar: a note for a partner of her shift with a check-in running; /anotar Luz
    placa ABC-123 notes it at once."""
    member = context.member
    message = update.effective_message
    if member is None:
        return
    targets = await notes.targets(context.work, member)
    if not targets:
        await context.say("shift.note.nobody")
        return
    args = " ".join(context.args or []).strip()
    target, text = _pick(targets, args)
    if target is None:
        rows = [
            [(label(member, "button.shift_note", alias=t.alias), f"sn:add:{t.checkin_id}")]
            for t in targets
        ]
        await context.say("shift.note.which", keyboard(rows))
        if args:  # what she typed is not kept: it may be a plate
            await context.delete(message)
        return
    if not text:
        await _ask(context, member, target)
        return
    await _save(context, member, target.checkin_id, text, None, message)


async def on_note_text(
    context: Context, member: Member, at: Conversation, text: str, message: Message
) -> bool:
    return await _save(context, member, at.data.get("checkin_id", ""), text, None, message)


async def on_note_location(
    context: Context, member: Member, at: Conversation, shared: Location
) -> bool:
    point = Point(shared.latitude, shared.longitude)
    return await _save(context, member, at.data.get("checkin_id", ""), None, point, None)


async def on_note_other(context: Context, member: Member, at: Conversation) -> bool:
    """A photo, a sticker, a voice note: only words and a pin are kept."""
    await context.say("shift.note.only_text")
    return True


def steps() -> dict[Step, StepHandlers]:
    return {
        Step.SHIFT_NOTE: StepHandlers(
            text=on_note_text, location=on_note_location, other=on_note_other
        )
    }


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler(names("note"), on_note_command),
        CallbackQueryHandler(on_note_button, pattern=r"^sn:"),
    ]
