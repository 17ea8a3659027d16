"""Silent alarms in Telegram: /sos and its button, /detenida, /codeword, /pin and the PIN
steps; /legal, for a coordinator to be her networks' legal support."""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.core import members, networks, safety
from bot.core.context import Refused
from bot.core.records import Alarm, Conversation, Member
from bot.core.safety import CODEWORD_REPLIES, Guarded
from bot.i18n import t
from bot.telegram.alias_first import alias_first
from bot.telegram.checkins import answer_guarded
from bot.telegram.commands import command, names
from bot.telegram.common import (
    Context,
    keyboard,
    label,
    pressed,
    stale,
)
from bot.telegram.steps import Step, StepHandlers

ASK_CODEWORD = Conversation(Step.CODEWORD_PHRASE)
ASK_DETENTION_WORD = Conversation(Step.DETENTION_PHRASE)
ASK_PIN = Conversation(Step.PIN_NEW)
# /clave detenida <frase>: her detention word in one message (any name of /detenida).
DETENTION_ARGS = frozenset(command("detained").names())


# --- SOS -------------------------------------------------------------------------------


@alias_first("sos")
async def on_sos_command(update: Update, context: Context) -> None:
    member = context.member
    if member is None:
        return
    if member.discreet:
        await silent_sos(context, member)
    else:
        await sos(context, member)


@alias_first("detained")
async def on_detained_command(update: Update, context: Context) -> None:
    """/detenida: the police detain or hold her. Her chat shows exactly what /sos shows (in
    discreet mode, an unknown command); her contacts read what her network's `legal:`
    section says to do, and her networks' legal coordinators are told."""
    member = context.member
    if member is None:
        return
    if member.discreet:
        await silent_sos(context, member, Alarm.SILENT_DETAINED)
    else:
        await sos(context, member, Alarm.DETAINED)


async def silent_sos(context: Context, member: Member, alarm: Alarm = Alarm.SILENT_SOS) -> None:
    """/sos in discreet mode: her contacts are alerted on an alarm of its own, hidden from
    her chat, which answers as it answers any command it does not know (and goes on as if
    nothing happened). With nobody to alert she is told, in neutral words."""
    raised = await safety.raise_hidden(context.work, member, alarm)
    await context.say("hint.unknown_command" if raised.contacts else "sos.no_contacts")


async def sos(context: Context, member: Member, alarm: Alarm = Alarm.SOS) -> None:
    """Alert every contact at once; her chat gets a short, neutral line, "All good" and the
    detention button."""
    raised = await safety.raise_sos(context.work, member, alarm)
    if raised.contacts == 0:
        await context.say("sos.no_contacts")
        return
    # The SOS menu: the police hold her (after an SOS as after this); in discreet mode under
    # a label that says nothing ("📄 Papeles"), and pressing it brings this same reply.
    rows = [
        [(label(member, "button.all_good"), f"so:ok:{raised.checkin_id}")],
        [(label(member, "button.detained"), f"so:det:{raised.checkin_id}")],
    ]
    await context.say("sos.sent", keyboard(rows))


async def on_sos_button(update: Update, context: Context) -> None:
    """so:sos:<check-in> (on every check-in message), so:det:<check-in> (the police hold
    her: under an SOS) and so:ok:<check-in> (stand down)."""
    member, parts = pressed(update, context, "so")
    if len(parts) == 2 and parts[0] == "sos":
        await sos(context, member)
    elif len(parts) == 2 and parts[0] == "det":
        await sos(context, member, Alarm.DETAINED)
    elif len(parts) == 2 and parts[0] == "ok":
        await stand_down(context, member, parts[1])
    elif parts:
        stale(context)


async def stand_down(context: Context, member: Member, checkin_id: str) -> None:
    """ "All good" after an SOS: her contacts are told she is OK (with her PIN, if set)."""
    outcome = await safety.guarded(context.work, member, checkin_id, Guarded.OK)
    await answer_guarded(context, member, outcome)


# --- Legal support ---------------------------------------------------------------------


async def on_legal_command(update: Update, context: Context) -> None:
    """/legal: a coordinator sees whether she is her networks' legal support, and changes it."""
    member = context.member
    if member is None:
        return
    if not await networks.coordinates_any(context.work, member):
        await context.say("legal.not_coordinator")
        return
    await _legal_state(context, member)


async def _legal_state(context: Context, member: Member) -> None:
    turn = "off" if member.legal_support else "on"
    buttons = keyboard([[(t(member.language, f"button.legal_{turn}"), f"ls:{turn}")]])
    await context.say("legal.is_on" if member.legal_support else "legal.is_off", buttons)


async def on_legal_button(update: Update, context: Context) -> None:
    """ls:on, ls:off: her choice, sealed with her settings."""
    member, parts = pressed(update, context, "ls")
    if parts not in (["on"], ["off"]):
        if parts:
            stale(context)
        return
    if not await networks.coordinates_any(context.work, member):
        await context.say("legal.not_coordinator")
        return
    member = await members.set_legal_support(context.work, member, parts[0] == "on")
    await _legal_state(context, member)


# --- Code word -------------------------------------------------------------------------


@alias_first("codeword")
async def on_codeword_command(update: Update, context: Context) -> None:
    """/codeword <phrase> sets it in one message (then deletes it); /codeword alone guides."""
    member = context.member
    if member is None:
        return
    args, message = context.args or [], update.effective_message
    if args and args[0].casefold() in DETENTION_ARGS:  # /clave detenida <frase>
        if len(args) > 1:
            await save_detention_word(context, member, " ".join(args[1:]), message)
        else:
            await ask_detention_word(context, member)
        return
    if args:
        await save_codeword(context, member, " ".join(args), message)
        return
    current = await safety.settings(context.work, member)
    if current.has_codeword:
        detention = "change" if current.has_detention_word else "set"
        rows = [
            [(label(member, "button.codeword_change"), "cw:change")],
            [(label(member, "button.codeword_reply"), "cw:replies")],
            [(label(member, f"button.detention_word_{detention}"), "cw:det")],
        ]
        if current.has_detention_word:
            rows.append([(label(member, "button.detention_word_remove"), "cw:detoff")])
        rows.append([(label(member, "button.codeword_remove"), "cw:remove")])
        await context.say("codeword.is_set", keyboard(rows))
        return
    context.converse(ASK_CODEWORD)
    await context.say("codeword.intro")
    await _if_nobody_to_alert(context, member)


async def _if_nobody_to_alert(context: Context, member: Member) -> None:
    """Setting up a silent alarm with no contact yet: she is told plainly that it would
    alert nobody until she invites someone."""
    if await safety.nobody_to_alert(context.work, member):
        await context.say("contacts.none_to_alert")


async def save_codeword(
    context: Context, member: Member, text: str, message: Message | None, guided: bool = False
) -> None:
    """Her phrase, from /codeword <phrase> or the guided step; her message is deleted."""
    reply = await safety.set_codeword(context.work, member, text)
    if isinstance(reply, Refused):
        await context.delete(message)
        await context.refuse(reply)
        return
    context.converse(None)
    await context.say(
        "codeword.saved_deleted", delete_first=message, key_if_kept="codeword.saved_kept"
    )
    if not guided:  # (the guided way said so at its start)
        await _if_nobody_to_alert(context, member)
    await _choose_reply(context, member)


async def on_codeword_text(
    context: Context, member: Member, at: Conversation, text: str, message: Message
) -> bool:
    await save_codeword(context, member, text, message, guided=True)
    return True


async def ask_detention_word(context: Context, member: Member) -> None:
    """The guided way to her detention word: only once she has a code word."""
    if not (await safety.settings(context.work, member)).has_codeword:
        await context.say("codeword.detained.error.first")
        return
    context.converse(ASK_DETENTION_WORD)
    await context.say("codeword.detained.ask")


async def save_detention_word(
    context: Context, member: Member, text: str, message: Message | None
) -> None:
    """Her detention word, from /clave detenida <frase> or the guided step; her message is
    deleted. It answers with her code word's reply, so there is nothing more to choose."""
    refused = await safety.set_detention_word(context.work, member, text)
    if isinstance(refused, Refused):
        await context.delete(message)
        await context.refuse(refused)
        return
    context.converse(None)
    await context.say(
        "codeword.detained.saved_deleted",
        delete_first=message,
        key_if_kept="codeword.detained.saved_kept",
    )


async def on_detention_word_text(
    context: Context, member: Member, at: Conversation, text: str, message: Message
) -> bool:
    await save_detention_word(context, member, text, message)
    return True


async def _choose_reply(context: Context, member: Member) -> None:
    """The replies she can choose from. Which one she has is never shown: it is what
    anyone who holds her phone would need to know to tell her code word's answer."""
    lang = member.language
    rows = []
    for choice in CODEWORD_REPLIES:
        label = (
            t(lang, "codeword.choice.none")
            if choice == "none"
            else f"«{t(lang, f'codeword.reply.{choice}')}»"
        )
        rows.append([(label, f"cw:reply:{choice}")])
    await context.say("codeword.choose_reply", keyboard(rows))


async def on_codeword_button(update: Update, context: Context) -> None:
    """cw:reply:<choice>, cw:replies, cw:change, cw:remove; cw:det, cw:detoff (her detention
    word: set or change it, remove it)."""
    member, parts = pressed(update, context, "cw")
    if not parts:
        return
    core = context.work
    if parts[0] == "reply" and len(parts) == 2:
        chosen = await safety.set_codeword_reply(core, member, parts[1])
        if isinstance(chosen, Refused):
            await context.refuse(chosen)
        else:
            # The message with the replies goes: nothing in her chat says which she chose.
            asked = update.callback_query.message if update.callback_query else None
            await context.say(
                "codeword.reply_saved",
                delete_first=asked if isinstance(asked, Message) else None,
                key_if_kept="codeword.reply_saved",
            )
    elif parts[0] == "replies":
        await _choose_reply(context, member)
    elif parts[0] == "change":
        context.converse(ASK_CODEWORD)
        await context.say("codeword.ask")
    elif parts[0] == "remove":
        both = await safety.clear_codeword(core, member)
        await context.say("codeword.removed_both" if both else "codeword.removed")
    elif parts[0] == "det":
        await ask_detention_word(context, member)
    elif parts[0] == "detoff":
        await safety.clear_detention_word(core, member)
        await context.say("codeword.detained.removed")


# --- PINs ------------------------------------------------------------------------------


@alias_first("pin")
async def on_pin_command(update: Update, context: Context) -> None:
    member = context.member
    if member is None:
        return
    if (await safety.settings(context.work, member)).has_pins:
        buttons = keyboard(
            [
                [(label(member, "button.pin_change"), "pn:change")],
                [(label(member, "button.pin_remove"), "pn:remove")],
            ]
        )
        await context.say("pin.is_set", buttons)
        return
    context.converse(ASK_PIN)
    await context.say("pin.intro")
    await _if_nobody_to_alert(context, member)
    await context.say("pin.ask_safe")


async def on_pin_button(update: Update, context: Context) -> None:
    """pn:change, pn:remove, pn:cancel (a PIN that was asked for)."""
    member, parts = pressed(update, context, "pn")
    if not parts:
        return
    core = context.work
    if parts[0] == "cancel":
        context.converse(None)
        await context.say("pin.cancelled")
    elif parts[0] == "change":
        refused = await safety.may_change_pins(core, member)
        if refused is not None:
            await context.refuse(refused)
            return
        context.converse(ASK_PIN)
        await context.say("pin.ask_safe")
    elif parts[0] == "remove":
        refused = await safety.clear_pins(core, member)
        await context.say(refused.reason if refused else "pin.removed")


async def on_new_pin_text(
    context: Context, member: Member, at: Conversation, text: str, message: Message
) -> bool:
    """The safety PIN, first: kept hashed in her (sealed) conversation until the second."""
    await context.delete(message)
    pin = safety.parse_pin(text)
    if pin is None:
        await context.say("pin.error.format")
        return True
    hashed = await safety.first_pin(context.work, pin)
    step = Conversation(Step.PIN_DURESS, {"safe": hashed})
    context.converse(step)
    await context.say("pin.ask_duress")
    return True


async def on_duress_pin_text(
    context: Context, member: Member, at: Conversation, text: str, message: Message
) -> bool:
    await context.delete(message)
    safe_hash = at.data.get("safe", "")
    if not safe_hash:  # the first PIN was lost (never expected): start again from it
        context.converse(ASK_PIN)
        await context.say("pin.ask_safe")
        return True
    pin = safety.parse_pin(text)
    if pin is None:
        await context.say("pin.error.format")
        return True
    refused = await safety.save_pins(context.work, member, safe_hash, pin)
    if refused is not None and refused.reason == "pin.error.same":
        await context.say("pin.error.same")  # she stays on this step
        return True
    context.converse(None)
    await context.say(refused.reason if refused else "pin.saved")
    return True


def steps() -> dict[Step, StepHandlers]:
    return {
        Step.CODEWORD_PHRASE: StepHandlers(text=on_codeword_text),
        Step.DETENTION_PHRASE: StepHandlers(text=on_detention_word_text),
        Step.PIN_NEW: StepHandlers(text=on_new_pin_text),
        Step.PIN_DURESS: StepHandlers(text=on_duress_pin_text),
    }


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler(names("sos"), on_sos_command),
        CommandHandler(names("detained"), on_detained_command),
        CommandHandler(names("legal"), on_legal_command),
        CommandHandler(names("codeword"), on_codeword_command),
        CommandHandler(names("pin"), on_pin_command),
        CallbackQueryHandler(on_sos_button, pattern=r"^so:"),
        CallbackQueryHandler(on_codeword_button, pattern=r"^cw:"),
        CallbackQueryHandler(on_pin_button, pattern=r"^pn:"),
        CallbackQueryHandler(on_legal_button, pattern=r"^ls:"),
    ]
