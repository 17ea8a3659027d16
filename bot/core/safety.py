"""Silent alarms: an SOS, a code word, a duress PIN; and the PIN that guards "I'm safe".

Nothing she can be made to do in front of someone stands her contacts down without her
safety PIN once she has set one, and nothing in her chat shows that an alarm went out.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from datetime import timedelta
from enum import StrEnum

from bot.core import timers
from bot.core.alerts import alert_contacts
from bot.core.checkins import Ended, check_in_safe, tell_contacts_resolved
from bot.core.context import Refused, Work
from bot.core.records import CheckIn, Member, PinMatch, SafetySettings, new_id
from bot.core.timers import Alarm, Status

PIN_TRIES = 3
PIN_DIGITS = (4, 8)
CODEWORD_REPLIES = ("ok", "thanks", "later", "none")
DEFAULT_REPLY = "ok"
CODEWORD_LENGTH = (4, 100)


class Guarded(StrEnum):
    """What a PIN stands between: checking in safe, and standing down after an SOS."""

    SAFE = "safe"
    OK = "ok"


@dataclass(frozen=True)
class Raised:
    checkin_id: str
    contacts: int


@dataclass(frozen=True)
class StoodDown:
    """Her contacts were told she is OK (or so it looks in her chat)."""


@dataclass(frozen=True)
class PinNeeded:
    """She has a PIN: the action waits until she types it."""

    checkin_id: str
    action: Guarded


@dataclass(frozen=True)
class WrongPin:
    tries_left: int


@dataclass(frozen=True)
class PinFailed:
    """Too many wrong PINs: the check-in was treated as missed and her contacts alerted."""


Outcome = Ended | StoodDown | PinNeeded | WrongPin | PinFailed | Refused
"""What "I'm safe" or "All good" came to, with or without a PIN typed."""


def normalize_phrase(text: str) -> str:
    """A phrase as compared: case, accents, punctuation and extra spaces do not count."""
    kept = []
    for char in unicodedata.normalize("NFKD", text.casefold()):
        category = unicodedata.category(char)
        if category == "Mn":  # a combining accent
            continue
        kept.append(" " if category.startswith("P") else char)
    return " ".join("".join(kept).split())


def clean_codeword(text: str) -> str | Refused:
    """Her code word, normalized; refused when too short or long, or only digits (a PIN)."""
    phrase = normalize_phrase(text)
    shortest, longest = CODEWORD_LENGTH
    if len(phrase) < shortest:
        return Refused("codeword.error.short", {"min": str(shortest)})
    if len(text.strip()) > longest:
        return Refused("codeword.error.long", {"max": str(longest)})
    if phrase.replace(" ", "").isdecimal():
        return Refused("codeword.error.digits")
    return phrase


def parse_pin(text: str) -> str | None:
    """4 to 8 digits (spaces ignored, any script's digits read as 0-9), else None."""
    digits = "".join(text.split())
    shortest, longest = PIN_DIGITS
    if not shortest <= len(digits) <= longest or not digits.isdecimal():
        return None
    return "".join(str(unicodedata.decimal(char)) for char in digits)


async def settings(work: Work, member: Member) -> SafetySettings:
    return await work.safety.settings(member.id)


# --- SOS and code word ----------------------------------------------------------------


async def raise_sos(work: Work, member: Member, alarm: Alarm = Alarm.SOS) -> Raised:
    """Alert every contact now, with the details and location of her running check-in if
    there is one. Never refused: an SOS button on an old message still raises the alarm."""
    return await _raise(work, member, alarm)


async def _raise(work: Work, member: Member, alarm: Alarm) -> Raised:
    now = work.clock.now()
    checkin = await work.checkins.open_for(member.id)
    if checkin is None:  # an alarm of its own: no deadline, no details (a pin may follow)
        checkin = timers.start(new_id(), member.id, now, timedelta(0), work.policy)
        await work.checkins.add(checkin)
    raised = timers.raise_alarm(checkin, alarm, now, work.policy)
    await work.checkins.save(raised)
    return Raised(raised.id, await alert_contacts(work, raised))


async def heard_codeword(work: Work, member: Member, text: str) -> str | None:
    """When `text` is her code word: raise the alarm silently and return her chosen reply
    ("none" for silence). None when it is not, and nothing happens."""
    phrase = normalize_phrase(text)
    if not phrase:
        return None
    reply = await work.safety.codeword_reply_if_matches(member.id, phrase)
    if reply is not None:
        await raise_sos(work, member, Alarm.CODEWORD)
    return reply


async def set_codeword(work: Work, member: Member, text: str) -> str | Refused:
    """Keep a keyed digest of her phrase; returns the reply she will get (kept if set)."""
    phrase = clean_codeword(text)
    if isinstance(phrase, Refused):
        return phrase
    await work.safety.set_codeword(member.id, phrase, DEFAULT_REPLY)
    return (await work.safety.settings(member.id)).codeword_reply or DEFAULT_REPLY


async def set_codeword_reply(work: Work, member: Member, reply: str) -> str | Refused:
    if reply not in CODEWORD_REPLIES:
        return Refused("codeword.error.stale")
    if not await work.safety.set_codeword_reply(member.id, reply):
        return Refused("codeword.error.stale")
    return reply


async def clear_codeword(work: Work, member: Member) -> None:
    await work.safety.clear_codeword(member.id)


# --- PINs ------------------------------------------------------------------------------


async def may_change_pins(work: Work, member: Member) -> Refused | None:
    """A PIN she has can be changed or removed (forgotten) only while no check-in runs:
    otherwise whoever holds her phone could remove it and check her in safe."""
    if not (await work.safety.settings(member.id)).has_pins:
        return None
    if await work.checkins.open_for(member.id) is not None:
        return Refused("pin.error.running")
    return None


async def first_pin(work: Work, pin: str) -> str:
    """The safety PIN's hash, kept (sealed, in her conversation) until the duress PIN."""
    return await work.safety.hash_pin(pin)


async def save_pins(work: Work, member: Member, safe_hash: str, duress: str) -> Refused | None:
    refused = await may_change_pins(work, member)
    if refused is not None:
        return refused
    if not await work.safety.set_pins(member.id, safe_hash, duress):
        return Refused("pin.error.same")
    return None


async def clear_pins(work: Work, member: Member) -> Refused | None:
    refused = await may_change_pins(work, member)
    if refused is not None:
        return refused
    await work.safety.clear_pins(member.id)
    return None


async def guarded(
    work: Work, member: Member, checkin_id: str | None, action: Guarded
) -> Ended | StoodDown | PinNeeded | Refused:
    """Check in safe, or stand down after an SOS: done at once when she has no PIN; with a
    PIN, only once she types it (`with_pin`). Refused exactly as the action itself would be."""
    has_pins = (await work.safety.settings(member.id)).has_pins
    checkin = await _guarded(work, member, checkin_id, action)
    if isinstance(checkin, Refused):
        return checkin
    if has_pins:
        return PinNeeded(checkin.id, action)
    return await _act(work, member, checkin_id, action)


async def _act(
    work: Work, member: Member, checkin_id: str | None, action: Guarded
) -> Ended | StoodDown | Refused:
    if action == Guarded.SAFE:
        return await check_in_safe(work, member, checkin_id)
    return await _stand_down(work, member, checkin_id)


async def _guarded(
    work: Work, member: Member, checkin_id: str | None, action: Guarded
) -> CheckIn | Refused:
    checkin = await work.checkins.open_for(member.id)
    if action == Guarded.OK:
        if checkin is None or checkin.id != checkin_id or checkin.status != Status.ALERTED:
            return Refused("sos.error.stale")
        return checkin
    if checkin is None:
        return Refused("checkin.error.none" if checkin_id is None else "checkin.error.stale")
    if checkin_id is not None and checkin.id != checkin_id:
        return Refused("checkin.error.stale")
    return checkin


async def _stand_down(work: Work, member: Member, checkin_id: str | None) -> StoodDown | Refused:
    """She is OK after an SOS: her contacts are told; a timer she had goes on."""
    now = work.clock.now()
    checkin = await _guarded(work, member, checkin_id, Guarded.OK)
    if isinstance(checkin, Refused):
        return checkin
    after = timers.stand_down(checkin, now, work.policy)
    await work.checkins.save(after)
    if after.status != Status.ACTIVE:
        await work.checkins.erase_details(after.id)
    await tell_contacts_resolved(work, member, checkin, None)
    return StoodDown()


async def with_pin(
    work: Work, member: Member, checkin_id: str | None, action: Guarded, pin: str
) -> Ended | StoodDown | WrongPin | PinFailed | Refused:
    """A guarded action with the PIN she typed. The safety PIN does it; the duress PIN
    answers exactly the same and alerts her contacts instead; three wrong PINs alert them."""
    match = await work.safety.check_pin(member.id, pin)
    if match is None or match == PinMatch.SAFE:  # without PINs, nothing to check
        return await _act(work, member, checkin_id, action)
    checkin = await _guarded(work, member, checkin_id, action)
    if isinstance(checkin, Refused):
        return checkin
    if match == PinMatch.DURESS:
        raised = timers.raise_alarm(checkin, Alarm.DURESS, work.clock.now(), work.policy)
        await work.checkins.save(raised)
        await alert_contacts(work, raised)
        if action == Guarded.OK:
            return StoodDown()
        return Ended(raised, checkin.status == Status.ALERTED)
    tries = checkin.pin_tries + 1
    if tries < PIN_TRIES:
        await work.checkins.save(replace(checkin, pin_tries=tries))
        return WrongPin(PIN_TRIES - tries)
    alarm = Alarm(checkin.alarm) if checkin.alarm else Alarm.MISSED
    raised = timers.raise_alarm(checkin, alarm, work.clock.now(), work.policy)
    await work.checkins.save(raised)
    await alert_contacts(work, raised)
    return PinFailed()
