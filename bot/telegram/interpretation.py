"""What a message of hers means, written once. Each kind of message has an ordered list of
readings; the first reading that takes the message wins, and the last one always does.

Free text:
  1. her code word or her detention word, whatever she was asked (except while she is
     choosing a new one): it raises the silent alarm and gets the reply she chose, as any
     answer would;
  2. "ya estoy bien" in words (bot/telegram/done_words.py), with a check-in running, at no
     step or at the steps where she would otherwise be adding details: one tap decides
     whether she is done or it was a detail. It comes before the details step, which would
     take any text;
  3. the answer to her current step (the question she was asked last);
  4. what free text means with no step: a hint, or once she has a code word the reply she
     chose for it (or silence), so that the code word's answer is like any other.
A location: 1. her step (an area pin, the /warn form's area); 2. her running check-in.
A contact card: 1. her step (the /warn form's phone); 2. a /check of its number.
Anything else (a photo, a sticker, a voice note): 1. her step; 2. "not understood".

A new meaning of free text (an intent such as "estoy bien") is one more reading in TEXT."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from telegram import Message

from bot.core import checkins, safety
from bot.core.records import Conversation, Location, Member
from bot.telegram import done_words as done
from bot.telegram.context import UpdateContext
from bot.telegram.steps import Step, StepHandlers
from bot.telegram.warnings import check

MAX_TEXT = 4096


@dataclass(frozen=True)
class Heard:
    """A message of hers, the step she is at (None: no question pending), and what that
    step does with a message."""

    member: Member
    at: Conversation | None
    step: StepHandlers
    message: Message

    @property
    def text(self) -> str:
        return (self.message.text or "")[:MAX_TEXT]


Reading = Callable[[UpdateContext, Heard], Awaitable[bool]]


async def codeword(context: UpdateContext, heard: Heard) -> bool:
    """Her code word raises the silent alarm and gets her chosen reply (or nothing)."""
    if heard.at is not None and heard.at.step in (Step.CODEWORD_PHRASE, Step.DETENTION_PHRASE):
        return False  # while she chooses a new phrase, the old ones are not an alarm
    reply = await safety.heard_codeword(context.work, heard.member, heard.text)
    if reply is None:
        return False
    if reply != "none":
        await context.say(f"codeword.reply.{reply}")
    return True


async def done_words(context: UpdateContext, heard: Heard) -> bool:
    """ "Ya estoy bien", "listo", "I'm ok" with a check-in running: done, or a detail?"""
    return await done.ask_if_done(context, heard.member, heard.at, heard.text, heard.message)


async def step_text(context: UpdateContext, heard: Heard) -> bool:
    if heard.at is None or heard.step.text is None:
        return False
    return await heard.step.text(context, heard.member, heard.at, heard.text, heard.message)


async def free_text(context: UpdateContext, heard: Heard) -> bool:
    """A hint; but once she has a code word, the reply she chose for it (or silence): her
    code word's answer must not be the only one of its kind in her chat."""
    reply = await safety.reply_to_unknown(context.work, heard.member)
    if reply is None:
        await context.say("hint.free_text")
    elif reply != "none":
        await context.say(f"codeword.reply.{reply}")
    return True


async def step_location(context: UpdateContext, heard: Heard) -> bool:
    shared = heard.message.location
    if heard.at is None or heard.step.location is None or shared is None:
        return False
    return await heard.step.location(context, heard.member, heard.at, shared)


async def checkin_location(context: UpdateContext, heard: Heard) -> bool:
    """A pin, or the start of a live location, goes with her running check-in."""
    shared = heard.message.location
    if shared is None:
        return False
    point = Location(shared.latitude, shared.longitude)
    if not await checkins.move_location(context.work, heard.member, point):
        await context.say("hint.location_without_checkin")
    elif shared.live_period:
        await context.say("checkin.live_location_saved")
    else:
        await context.say("checkin.location_saved")
    return True


async def step_contact(context: UpdateContext, heard: Heard) -> bool:
    card = heard.message.contact
    if heard.at is None or heard.step.contact is None or card is None:
        return False
    return await heard.step.contact(
        context, heard.member, heard.at, card.phone_number, heard.message
    )


async def checked_contact(context: UpdateContext, heard: Heard) -> bool:
    """A contact card with no step asking for it: a /check of its number."""
    card = heard.message.contact
    if card is None:
        return False
    await check(context, heard.member, card.phone_number)
    await context.delete(heard.message)
    return True


async def step_other(context: UpdateContext, heard: Heard) -> bool:
    if heard.at is None or heard.step.other is None:
        return False
    return await heard.step.other(context, heard.member, heard.at)


async def not_understood(context: UpdateContext, heard: Heard) -> bool:
    await context.say("hint.not_understood")
    return True


TEXT: tuple[Reading, ...] = (codeword, done_words, step_text, free_text)
LOCATION: tuple[Reading, ...] = (step_location, checkin_location)
CONTACT: tuple[Reading, ...] = (step_contact, checked_contact)
OTHER: tuple[Reading, ...] = (step_other, not_understood)


async def interpret(readings: Sequence[Reading], context: UpdateContext, heard: Heard) -> None:
    """Try each reading in order until one takes the message."""
    for reading in readings:
        if await reading(context, heard):
            return
