"""Check-ins in Telegram: start (buttons or one message), details, safe, extend, alerts."""

from __future__ import annotations

from datetime import timedelta

from babel.lists import format_list
from babel.units import format_unit
from telegram import Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.core import checkins, safety
from bot.core.checkins import MAX_DETAILS, Ended, Started
from bot.core.context import Refused
from bot.core.durations import (
    MAX_DURATION,
    DurationError,
    looks_like_duration,
    needs_confirmation,
    split_duration,
)
from bot.core.notifications import AlertLocation
from bot.core.records import Conversation, Member
from bot.core.safety import Guarded, Outcome, PinNeeded, WrongPin
from bot.i18n import t
from bot.telegram import checklist
from bot.telegram.alias_first import alias_first
from bot.telegram.commands import names
from bot.telegram.common import (
    Context,
    keyboard,
    label,
    number,
    pressed,
    stale,
)
from bot.telegram.contacts import say_unreachable
from bot.telegram.render import checkin_buttons, label_or_default, local_time
from bot.telegram.steps import Step, StepHandlers

MAX_MINUTES = int(MAX_DURATION.total_seconds() // 60)  # of a duration in button data
PRESETS = ((30, "button.30m"), (60, "button.1h"), (120, "button.2h"), (180, "button.3h"))
# At the duration step, "via" says how she got there: "choose" (the buttons of a bare
# /checkin, where typing is welcome too), "other" (she pressed "Otro": a duration is
# expected) or "confirm" (an unusual length waits for "✓ Sí"; "minutes" and her
# "details", sealed with her conversation, wait with it).
ASK_DURATION = Conversation(Step.CHECKIN_DURATION, {"via": "other"})


def length(language: str, duration: timedelta) -> str:
    """1 hora, 45 minutos, 1 hora y 30 minutos: Babel's plural forms, never "1 minutos"."""
    hours, minutes = divmod(int(duration.total_seconds() // 60), 60)
    parts = [
        format_unit(count, unit, length="long", locale=language)
        for count, unit in ((hours, "duration-hour"), (minutes, "duration-minute"))
        if count
    ]
    if not parts:
        return format_unit(0, "duration-minute", length="long", locale=language)
    return format_list(parts, locale=language)


def details_step(checkin_id: str) -> Conversation:
    return Conversation(Step.CHECKIN_DETAILS, {"checkin_id": checkin_id})


@alias_first("checkin")
async def on_checkin_command(update: Update, context: Context) -> None:
    """/checkin shows duration buttons; /checkin 45m Hotel Real, P-123 does it all at once."""
    member = context.member
    if member is None:
        return
    args = " ".join(context.args or [])
    duration, details = split_duration(args)
    if duration is None:
        rows = [[(t(member.language, key), f"ck:new:{minutes}") for minutes, key in PRESETS]]
        rows.append([(t(member.language, "button.other"), "ck:other")])
        rows.append([checklist.toggle_button(member)])
        await context.say("checkin.choose", keyboard(rows))
        at = member.conversation
        if at is None or at.step != Step.CHECKIN_DETAILS:  # her details keep their step
            context.converse(Conversation(Step.CHECKIN_DURATION, {"via": "choose"}))
    elif isinstance(duration, DurationError):
        await context.say(duration.reason)
        await context.say("checkin.example")
    else:
        message = update.effective_message
        await begin(context, member, duration, details or None, message, guided=False)


async def begin(
    context: Context,
    member: Member,
    duration: timedelta,
    details: str | None,
    message: Message | None,
    guided: bool = True,
) -> None:
    """Start her timer, or first ask one tap for an unusual length ("¿5 minutos?"). Her
    details wait sealed in her conversation, and her message leaves the screen. `guided`:
    step by step (the checklist may follow), not in one message."""
    if not needs_confirmation(duration):
        await start(context, member, duration, details, message, guided)
        return
    minutes = str(int(duration.total_seconds() // 60))
    waiting = {"via": "confirm", "minutes": minutes}
    if not guided:
        waiting["quick"] = "1"
    if details:
        waiting["details"] = details
        await context.delete(message)
    context.converse(Conversation(Step.CHECKIN_DURATION, waiting))
    await _ask_to_confirm(context, member, duration, f"ck:yes:{minutes}", "ck:change")


async def _ask_to_confirm(
    context: Context, member: Member, duration: timedelta, yes: str, change: str
) -> None:
    lang = member.language
    buttons = [(t(lang, "button.duration_yes"), yes), (t(lang, "button.duration_change"), change)]
    await context.say("duration.confirm", keyboard([buttons]), duration=length(lang, duration))


async def start(
    context: Context,
    member: Member,
    duration: timedelta,
    details: str | None,
    message: Message | None,
    guided: bool = True,
) -> None:
    """Start her timer; then delete her message if it carried details, and say so; then,
    when she started it step by step and turned it on, the checklist."""
    started = await checkins.start_checkin(context.work, member, duration, details)
    if isinstance(started, Refused):
        await _refuse_running(context, member, started, message if details else None)
        return
    context.converse(details_step(started.checkin.id))
    await _confirm(context, member, started, duration)
    if details:
        await _after_details(context, member, started, message)
    else:
        done = keyboard(
            [[(t(member.language, "button.no_details"), f"ck:done:{started.checkin.id}")]]
        )
        await context.say("checkin.ask_details", done)
    if guided and member.checklist:
        await checklist.show(context, member)


async def _confirm(
    context: Context, member: Member, started: Started, duration: timedelta
) -> None:
    await context.say(
        "checkin.started",
        checkin_buttons(member.language, started.checkin.id, member.discreet),
        deadline=local_time(member, started.checkin.deadline_at.isoformat()),
        duration=length(member.language, duration),
    )
    if started.contacts == 0:
        await context.say("checkin.no_contacts")
    else:
        await say_unreachable(context, member)


async def _after_details(
    context: Context, member: Member, started: Started, message: Message | None
) -> None:
    if started.truncated:
        await context.say("checkin.truncated", max=MAX_DETAILS)
        return
    await context.say(
        "checkin.details_saved_deleted",
        delete_first=message,
        key_if_kept="checkin.details_saved_kept",
    )


async def _refuse_running(
    context: Context, member: Member, refusal: Refused, message: Message | None = None
) -> None:
    """A check-in runs already: its time and buttons. Her message goes all the same when it
    carried details: they are not kept, and must not stay on her screen."""
    await context.delete(message)
    running = await checkins.open_checkin(context.work, member)
    if running is None:
        await context.refuse(refusal)
        return
    await context.say(
        "checkin.error.running",
        checkin_buttons(member.language, running.id, member.discreet),
        deadline=local_time(member, running.deadline_at.isoformat()),
    )


async def on_duration_text(
    context: Context, member: Member, at: Conversation, text: str, message: Message
) -> bool:
    """The duration she typed after /checkin, "Otro" or "Cambiar" ("1h", "hora y media",
    "45 minutos Hotel Sol"). After the buttons of a bare /checkin or an unusual length,
    a text that is no duration at all means what it would with no step."""
    duration, details = split_duration(text)
    if isinstance(duration, timedelta):
        kept = at.data.get("details")  # typed before "Cambiar", or with an unusual length
        carried = message if details else None
        await begin(context, member, duration, details or kept or None, carried)
        return True
    if at.data.get("via") in ("choose", "confirm") and not looks_like_duration(text):
        context.converse(None)
        return False
    await context.say(duration.reason if duration else "duration.error.format")
    return True


async def on_details_text(
    context: Context, member: Member, at: Conversation, text: str, message: Message
) -> bool:
    """Details for her running check-in; False when that check-in already ended."""
    checkin_id = at.data.get("checkin_id", "")
    saved = await checkins.add_details(context.work, member, checkin_id, text, None)
    if isinstance(saved, Refused):
        context.converse(None)
        return False
    await _after_details(context, member, saved, message)
    return True


async def on_safe_command(update: Update, context: Context) -> None:
    member = context.member
    if member is not None:
        await _safe(context, member, None)


async def _safe(context: Context, member: Member, checkin_id: str | None) -> None:
    outcome = await safety.guarded(context.work, member, checkin_id, Guarded.SAFE)
    await answer_guarded(context, member, outcome)


async def answer_guarded(context: Context, member: Member, outcome: Outcome) -> None:
    """The answer to "I'm safe" or "All good", with or without a PIN. The safety PIN, the
    duress PIN and a third wrong PIN reach the same branch: the same conversation change,
    the same reply."""
    if isinstance(outcome, PinNeeded):
        step = Conversation(
            Step.PIN_CHECK, {"checkin_id": outcome.checkin_id, "action": str(outcome.action)}
        )
        context.converse(step)
        cancel = keyboard([[(t(member.language, "button.cancel"), "pn:cancel")]])
        await context.say("pin.ask", cancel)
    elif isinstance(outcome, WrongPin):
        await context.say("pin.wrong", tries=outcome.tries_left)
    elif isinstance(outcome, Refused):
        if member.conversation and member.conversation.step == Step.PIN_CHECK:
            context.converse(None)  # asked for a PIN in vain
        await context.refuse(outcome)
    else:
        context.converse(None)
        if isinstance(outcome, Ended):
            reply = "checkin.safe_after_alert" if outcome.was_alerted else "checkin.safe"
        else:  # StoodDown: "Listo" alone when nobody was there to be told
            reply = "sos.stood_down" if outcome.told else "sos.stood_down_alone"
        await context.say(reply)


async def on_pin_check_text(
    context: Context, member: Member, at: Conversation, text: str, message: Message
) -> bool:
    """The PIN she typed for "I'm safe" or "All good". The safety PIN and the duress PIN
    take exactly the same path in her chat: her message deleted, the same reply."""
    await context.delete(message)
    pin = safety.parse_pin(text)
    if pin is None:
        await context.say("pin.error.format")
        return True
    action = Guarded.OK if at.data.get("action") == Guarded.OK else Guarded.SAFE
    checkin_id = at.data.get("checkin_id") or None
    outcome = await safety.with_pin(context.work, member, checkin_id, action, pin)
    await answer_guarded(context, member, outcome)
    return True


async def on_extend_command(update: Update, context: Context) -> None:
    """/extend 30m, or /extend alone for buttons."""
    member = context.member
    if member is None:
        return
    if not context.args:
        running = await checkins.open_checkin(context.work, member)
        if running is None:
            await context.say("checkin.error.none")
        else:
            await context.say(
                "extend.choose",
                checkin_buttons(member.language, running.id, member.discreet),
            )
        return
    duration, _ = split_duration(" ".join(context.args))
    if not isinstance(duration, timedelta):
        await context.say(duration.reason if duration else "duration.error.format")
    elif needs_confirmation(duration):
        if await checkins.open_checkin(context.work, member) is None:
            await context.say("checkin.error.none")  # nothing to confirm
            return
        minutes = int(duration.total_seconds() // 60)
        await _ask_to_confirm(context, member, duration, f"ck:more:{minutes}", "ck:other_more")
    else:
        await _extend(context, member, duration, None)


async def _extend(context: Context, member: Member, by: timedelta, checkin_id: str | None) -> None:
    ended = await checkins.extend_checkin(context.work, member, by, checkin_id)
    if isinstance(ended, Refused) and ended.reason == "pin.error.extend_after_alert":
        safe = [(label(member, "button.safe"), f"ck:safe:{ended.params['checkin_id']}")]
        await context.say(ended.reason, keyboard([safe]))
        return
    if isinstance(ended, Refused):
        await context.refuse(ended)
        return
    await _extended(context, member, ended, by)


async def _extended(context: Context, member: Member, ended: Ended, by: timedelta) -> None:
    key = "checkin.extended_after_alert" if ended.was_alerted else "checkin.extended"
    await context.say(
        key,
        checkin_buttons(member.language, ended.checkin.id, member.discreet),
        deadline=local_time(member, ended.checkin.deadline_at.isoformat()),
        duration=length(member.language, by),
    )


async def _confirmed(context: Context, member: Member, minutes: int) -> None:
    """She tapped "✓ Sí" to an unusual length: her timer starts, with the details that waited."""
    at = member.conversation
    details, guided = None, True
    if at is not None and at.step == Step.CHECKIN_DURATION and at.data.get("via") == "confirm":
        if at.data.get("minutes") == str(minutes):
            details = at.data.get("details") or None
            guided = not at.data.get("quick")
    await start(context, member, timedelta(minutes=minutes), details, None, guided)


async def _change(context: Context, member: Member) -> None:
    """She tapped "Cambiar": the duration is asked again; her details still wait."""
    at = member.conversation
    asked = {"via": "other"}
    if at is not None and at.step == Step.CHECKIN_DURATION and at.data.get("details"):
        asked["details"] = at.data["details"]
    context.converse(Conversation(Step.CHECKIN_DURATION, asked))
    await context.say("checkin.ask_duration")


async def _other_extension(context: Context, member: Member) -> None:
    """She tapped "Cambiar" for an unusual extension: her buttons again, and how to type one."""
    running = await checkins.open_checkin(context.work, member)
    if running is None:
        await context.say("checkin.error.none")
        return
    await context.say(
        "extend.ask_duration", checkin_buttons(member.language, running.id, member.discreet)
    )


async def on_checkin_button(update: Update, context: Context) -> None:
    """ck:new:<min>, ck:other, ck:done:<id>, ck:safe:<id>, ck:ext:<id>:<min>; for an
    unusual length ck:yes:<min> and ck:change (a check-in), ck:more:<min> and
    ck:other_more (an extension)."""
    member, parts = pressed(update, context, "ck")
    if not parts:
        return
    action, rest = parts[0], parts[1:]
    minutes = number(rest[-1], MAX_MINUTES) if rest else None
    if action == "new" and len(rest) == 1 and minutes:
        await start(context, member, timedelta(minutes=minutes), None, None)
    elif action == "other":
        context.converse(ASK_DURATION)
        await context.say("checkin.ask_duration")
    elif action == "done":
        context.converse(None)
        await context.say("checkin.details_done")
    elif action == "safe" and len(rest) == 1:
        await _safe(context, member, rest[0])
    elif action == "ext" and len(rest) == 2 and minutes:
        await _extend(context, member, timedelta(minutes=minutes), rest[0])
    elif action == "yes" and len(rest) == 1 and minutes:
        await _confirmed(context, member, minutes)
    elif action == "change":
        await _change(context, member)
    elif action == "more" and len(rest) == 1 and minutes:
        await _extend(context, member, timedelta(minutes=minutes), None)
    elif action == "other_more":
        await _other_extension(context, member)
    else:
        stale(context)


async def on_alert_button(update: Update, context: Context) -> None:
    """al:ack:<checkin id>: a contact says "I'm on it"; al:loc:<checkin id>: her last point."""
    member, parts = pressed(update, context, "al")
    if len(parts) != 2 or parts[0] not in ("ack", "loc"):
        if parts:  # not answered yet
            stale(context)
        return
    if parts[0] == "loc":
        await _latest_location(context, member, parts[1])
        return
    acked = await checkins.acknowledge_alert(context.work, member, parts[1])
    if isinstance(acked, Refused):
        await context.refuse(acked)
    elif acked.drill:
        await context.say("drill.received", alias=acked.worker_alias)
    elif acked.first:
        where = [(t(member.language, "button.latest_location"), f"al:loc:{parts[1]}")]
        await context.say("alert.ack.thanks", keyboard([where]), alias=acked.worker_alias)
    else:
        await context.say(
            "alert.ack.already",
            label=label_or_default(member, acked.by_label),
            alias=acked.worker_alias,
        )


async def _latest_location(context: Context, member: Member, checkin_id: str) -> None:
    """Her newest point (a live location keeps it fresh), sent again to a contact."""
    latest = await checkins.latest_location(context.work, member, checkin_id)
    if isinstance(latest, Refused):
        await context.refuse(latest)
        return
    point = latest.location
    received = local_time(member, point.at.isoformat()) if point.at else "?"
    await context.say("alert.location.latest", alias=latest.worker_alias, at=received)
    await context.notify(AlertLocation(member.id, point.latitude, point.longitude))


def steps() -> dict[Step, StepHandlers]:
    return {
        Step.CHECKIN_DURATION: StepHandlers(text=on_duration_text),
        Step.CHECKIN_DETAILS: StepHandlers(text=on_details_text),
        Step.PIN_CHECK: StepHandlers(text=on_pin_check_text),
    }


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler(names("checkin"), on_checkin_command),
        CommandHandler(names("safe"), on_safe_command),
        CommandHandler(names("extend"), on_extend_command),
        CallbackQueryHandler(on_checkin_button, pattern=r"^ck:"),
        CallbackQueryHandler(on_alert_button, pattern=r"^al:"),
        *checklist.handlers(),
    ]
