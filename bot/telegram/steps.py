"""The steps of her conversations, and what each feature does with a message at its steps.

A step is the question she was asked last; it is kept (sealed) in the database as its
string value, so a value here never changes: a conversation stored before a change must
still be understood. Each feature module declares its steps in `steps()`; the table built
from them is what bot/telegram/interpretation.py looks up."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from telegram import Location, Message

from bot.core.records import Conversation, Member
from bot.telegram.context import UpdateContext


class Step(StrEnum):
    """Every question that waits for her answer; the value is what the database keeps."""

    ALIAS = "alias"
    CHECKIN_DURATION = "checkin.duration"
    CHECKIN_DETAILS = "checkin.details"
    CHECKIN_DONE = "checkin.done"  # "ya estoy bien" typed: done, or a detail?
    CODEWORD_PHRASE = "codeword.phrase"
    DETENTION_PHRASE = "codeword.detention"  # her second code word: the police hold her
    PIN_NEW = "pin.new"
    PIN_DURESS = "pin.duress"
    PIN_CHECK = "pin.check"
    CHECK_PHONE = "check.phone"
    NETWORK_CODE = "network.code"
    AREAS_PIN = "areas.pin"
    SHIFT_NOTE = "shift.note"  # a partner's note for her friend's check-in
    MODERATION_EDIT = "moderation.edit"
    # The /warn form: one step per question ("warn." and the field it asks), and one per
    # extra she chose to add from the review ("warn.ask_" and the extra).
    WARN_NETWORK = "warn.network"
    WARN_KIND = "warn.kind"
    WARN_AREA = "warn.area"
    WARN_WHEN = "warn.when"
    WARN_TEXT = "warn.text"
    WARN_EXTRAS = "warn.extras"
    WARN_REVIEW = "warn.review"
    WARN_ASK_PHONE = "warn.ask_phone"
    WARN_ASK_PLATE = "warn.ask_plate"
    WARN_ASK_NAME = "warn.ask_name"
    # A new entry of her private record (/registro): one step per question.
    RECORD_WHEN = "record.when"
    RECORD_WHERE = "record.where"
    RECORD_WHAT = "record.what"
    RECORD_WHO = "record.who"
    # Accompaniment (/apoyo): her first message, and one message of a case (hers or support's).
    SUPPORT_TEXT = "support.text"
    SUPPORT_WRITE = "support.write"


WARN_FORM = frozenset(step for step in Step if step.startswith("warn."))

# What a step does with a message. `at` is her conversation (the step and its data). Each
# returns False when the message is not for the step after all (a live location at a pin
# step, details for a check-in that ended): it then means what it would with no step.
OnText = Callable[[UpdateContext, Member, Conversation, str, Message], Awaitable[bool]]
OnLocation = Callable[[UpdateContext, Member, Conversation, Location], Awaitable[bool]]
OnContact = Callable[[UpdateContext, Member, Conversation, str, Message], Awaitable[bool]]
OnOther = Callable[[UpdateContext, Member, Conversation], Awaitable[bool]]


@dataclass(frozen=True)
class StepHandlers:
    """A step's answers to a text, a location, a contact card (its phone number) and
    anything else (a photo, a sticker, a voice note); None: the step takes no such message."""

    text: OnText | None = None
    location: OnLocation | None = None
    contact: OnContact | None = None
    other: OnOther | None = None


NO_STEP = StepHandlers()


class StepTable:
    """Every feature's steps, declared once; a step is declared by one feature only."""

    def __init__(self, *declared: Mapping[Step, StepHandlers]) -> None:
        self._steps: dict[str, StepHandlers] = {}
        for steps in declared:
            for step, handlers in steps.items():
                if step in self._steps:
                    raise ValueError(f"step {step} is declared twice")
                self._steps[step] = handlers

    def at(self, conversation: Conversation | None) -> StepHandlers:
        """What her step does with a message (a stored step string works as well); nothing
        for no step, or a step no feature declares."""
        if conversation is None:
            return NO_STEP
        return self._steps.get(conversation.step, NO_STEP)

    def declared(self) -> frozenset[str]:
        return frozenset(self._steps)
