""" "Ya estoy bien" in words: with a check-in running, a message made only of the phrases of
`phrases.safe` (in the catalogs, per language) is not a detail. One tap decides: "✅ Sí,
estoy bien" ends the check-in exactly as /safe does (its PIN included), "No, es un detalle"
saves the message as a detail. A longer message that merely contains "bien" stays a detail.

Her message waits, in her (sealed) conversation, at the CHECKIN_DONE step until she taps;
typing something else instead means what it would have meant before the question."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from telegram import Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.core import checkins
from bot.core.checkins import MAX_DETAILS
from bot.core.context import Refused
from bot.core.notifications import Reply
from bot.core.records import Conversation, Member
from bot.i18n import languages, t, wording
from bot.telegram.checkins import details_step, on_details_text
from bot.telegram.common import Context, keyboard, number, pressed, stale
from bot.telegram.steps import Step, StepHandlers

PHRASES_KEY = "phrases.safe"
MAX_WORDS = 12  # longer than that, it is something she is telling
ASKED_AT = frozenset({Step.CHECKIN_DETAILS, Step.CHECKIN_DONE})  # and no step at all
_APOSTROPHES = "'’ʼ`´"
_REPEATED = re.compile(r"([^\W\d_])\1+")


def normalize(text: str) -> str:
    """Words as compared: case, accents, apostrophes (i'm = im), punctuation, emoji and
    letters typed more than once in a row ("yaaa") do not count."""
    kept = []
    for char in unicodedata.normalize("NFKD", text.casefold()):
        if unicodedata.category(char) == "Mn" or char in _APOSTROPHES:
            continue
        kept.append(char if char.isalnum() else " ")
    return " ".join(_REPEATED.sub(r"\1", "".join(kept)).split())


@cache
def phrases() -> frozenset[tuple[str, ...]]:
    """Every language's phrases, normalized: a Spanish speaker may write "done", too."""
    found: set[tuple[str, ...]] = set()
    for language in languages():
        for phrase in t(language, PHRASES_KEY).split("|"):
            words = tuple(normalize(phrase).split())
            if words:
                found.add(words)
    return frozenset(found)


def says_done(text: str) -> bool:
    """Whether the message is made only of "I'm done" phrases ("ya, todo bien")."""
    words = normalize(text).split()
    if not words or len(words) > MAX_WORDS:
        return False
    known = phrases()
    longest = max(len(p) for p in known)
    done = [False] * len(words) + [True]  # done[i]: words[i:] are phrases, one after another
    for start in range(len(words) - 1, -1, -1):
        done[start] = any(
            tuple(words[start:end]) in known and done[end]
            for end in range(start + 1, min(len(words), start + longest) + 1)
        )
    return done[0]


async def ask_if_done(
    context: Context, member: Member, at: Conversation | None, text: str, message: Message
) -> bool:
    """With a check-in running, "ya estoy bien" asks one question; False otherwise (the
    message means what it meant before)."""
    if at is not None and at.step not in ASKED_AT:
        return False
    if not says_done(text):
        return False
    running = await checkins.open_checkin(context.work, member)
    if running is None:
        return False
    resume = at is not None and (at.step == Step.CHECKIN_DETAILS or bool(at.data.get("resume")))
    context.converse(
        Conversation(
            Step.CHECKIN_DONE,
            {
                "checkin_id": running.id,
                "text": text,
                "message_id": str(message.message_id),
                "resume": "details" if resume else "",
            },
        )
    )
    lang, discreet = member.language, member.discreet
    buttons = keyboard(
        [
            [(t(lang, wording(lang, "button.done_yes", discreet)), f"ck:safe:{running.id}")],
            [(t(lang, wording(lang, "button.done_detail", discreet)), f"dn:detail:{running.id}")],
        ]
    )
    await context.say("checkin.done_ask", buttons)
    return True


async def on_other_text(
    context: Context, member: Member, at: Conversation, text: str, message: Message
) -> bool:
    """She typed something else instead of tapping: the question is dropped, and the
    message is read as it would have been before it (a detail, or free text)."""
    checkin_id = at.data.get("checkin_id", "")
    if at.data.get("resume") and checkin_id:
        resumed = details_step(checkin_id)
        context.converse(resumed)
        return await on_details_text(context, member, resumed, text, message)
    context.converse(None)
    return False


async def on_done_button(update: Update, context: Context) -> None:
    """dn:detail:<check-in>: "No, es un detalle": her message is saved as a detail (and
    deleted from the chat, as details are)."""
    member, parts = pressed(update, context, "dn")
    if len(parts) != 2 or parts[0] != "detail":
        if parts:  # not answered yet
            stale(context)
        return
    at = member.conversation
    if at is None or at.step != Step.CHECKIN_DONE or at.data.get("checkin_id") != parts[1]:
        if await checkins.open_checkin(context.work, member) is None:
            await context.say("checkin.error.stale")
        return  # answered already: nothing waits for this button
    saved = await checkins.add_details(context.work, member, parts[1], at.data.get("text"), None)
    if isinstance(saved, Refused):
        context.converse(None)
        await context.refuse(saved)
        return
    context.converse(details_step(parts[1]))
    if saved.truncated:
        await context.say("checkin.truncated", max=MAX_DETAILS)
        return
    message_id = at.data.get("message_id", "")
    her_message = number(message_id, 2**63 - 1)
    if her_message is None:
        await context.say("checkin.details_saved_kept")
        return
    await context.notify(
        Reply(
            member.id,
            "checkin.details_saved_deleted",
            delete_first=her_message,
            key_if_kept="checkin.details_saved_kept",
        )
    )


def steps() -> dict[Step, StepHandlers]:
    return {Step.CHECKIN_DONE: StepHandlers(text=on_other_text)}


def handlers() -> list[BaseHandler]:
    return [CallbackQueryHandler(on_done_button, pattern=r"^dn:")]
