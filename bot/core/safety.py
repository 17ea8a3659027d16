"""Silent alarms: an SOS, a code word, a duress PIN; and the PIN that guards "I'm safe".

Nothing she can be made to do in front of someone stands her contacts down without her
safety PIN once she has set one, and nothing in her chat shows that an alarm went out.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from datetime import timedelta
from enum import StrEnum
from functools import cache
from pathlib import Path

from bot.core import drills, shifts, timers
from bot.core.alerts import alert_contacts
from bot.core.checkins import Ended, check_in_safe, tell_contacts_resolved
from bot.core.context import Refused, Work
from bot.core.records import HIDDEN_ALARMS, CheckIn, Member, PinMatch, SafetySettings, new_id
from bot.core.timers import Alarm, Status

PIN_TRIES = 3
PIN_DIGITS = (4, 8)
CODEWORD_REPLIES = ("ok", "thanks", "later", "none")
DEFAULT_REPLY = "ok"
CODEWORD_LENGTH = (8, 100)  # letters at least, characters at most
CODEWORD_WORDS = 2  # words at least
COMMON_WORDS = Path(__file__).parent / "wordlists" / "common_words.txt"


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
    """Her contacts were told she is OK (or so it looks in her chat): `told` of them, as
    many as the safety PIN would have told, so the duress PIN's answer is the same."""

    told: int = 0


@dataclass(frozen=True)
class PinNeeded:
    """She has a PIN: the action waits until she types it."""

    checkin_id: str
    action: Guarded


@dataclass(frozen=True)
class WrongPin:
    tries_left: int


Outcome = Ended | StoodDown | PinNeeded | WrongPin | Refused
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


@cache
def common_words() -> frozenset[str]:
    """Words people write every day in chats, Spanish and English (bot/core/wordlists/
    common_words.txt, one a line, `#` comments), normalized as phrases are."""
    words = set()
    for line in COMMON_WORDS.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0]
        words.update(normalize_phrase(line).split())
    return frozenset(words)


def clean_codeword(text: str) -> str | Refused:
    """Her code word, normalized. Refused when it is only digits (a PIN), too long, under
    2 words or 8 letters, or made only of everyday chat words ("hola", "ok gracias", "ya
    voy"): she could send it without meaning to, and anyone could guess it."""
    phrase = normalize_phrase(text)
    shortest, longest = CODEWORD_LENGTH
    if phrase and phrase.replace(" ", "").isdecimal():
        return Refused("codeword.error.digits")
    if len(text.strip()) > longest:
        return Refused("codeword.error.long", {"max": str(longest)})
    words = phrase.split()
    if len(words) < CODEWORD_WORDS or sum(char.isalpha() for char in phrase) < shortest:
        return Refused("codeword.error.short", {"min": str(shortest)})
    everyday = common_words()
    if all(word in everyday for word in words):
        return Refused("codeword.error.common")
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
    checkin = drills.real_unless_rehearsed(checkin, alarm)
    raised = timers.raise_alarm(checkin, alarm, now, work.policy)
    await work.checkins.save(raised)
    contacts = await alert_contacts(work, raised)
    await shifts.alarm_raised(work, member.id, silent=False)
    return Raised(raised.id, contacts)


async def raise_hidden(
    work: Work, member: Member, alarm: Alarm, source: CheckIn | None = None
) -> Raised:
    """A silent alarm that nothing in her chat may show (a code word, a duress PIN): her
    contacts are alerted on a check-in of its own, hidden from her (`open_for` never returns
    it), with the times, details and location of `source` (her running check-in, which goes
    on for her as if nothing happened) or with none. A hidden alarm already on gets a new
    round instead. With no contact yet, nobody is alerted, and a contact she links while
    it is on gets its repeats."""
    assert alarm in HIDDEN_ALARMS
    now = work.clock.now()
    if source is None:
        source = await work.checkins.open_for(member.id)
    if source is not None and source.drill is not None:
        rehearsed = drills.real_unless_rehearsed(source, alarm)
        if rehearsed.drill is None:  # a real alarm during a drill: the drill is over
            await work.checkins.save(rehearsed)
        source = rehearsed
    hidden = await _hidden_alarm(work, member)
    if hidden is not None:
        hidden = drills.real_unless_rehearsed(hidden, alarm)
    if hidden is None:
        hidden = timers.start(new_id(), member.id, now, timedelta(0), work.policy)
        if source is not None:
            hidden = replace(
                hidden,
                started_at=source.started_at,
                deadline_at=source.deadline_at,
                details=source.details,
                location=source.location,
                drill=source.drill,
                drill_private=source.drill_private,
            )
        await work.checkins.add(hidden)
    elif source is not None:
        hidden = replace(
            hidden,
            details=source.details or hidden.details,
            location=source.location or hidden.location,
        )
    raised = timers.raise_alarm(hidden, alarm, now, work.policy)
    await work.checkins.save(raised)
    contacts = await alert_contacts(work, raised)
    await shifts.alarm_raised(work, member.id, silent=True)  # her own status: untouched
    return Raised(raised.id, contacts)


async def _hidden_alarm(work: Work, member: Member) -> CheckIn | None:
    """Her newest hidden alarm that is still on, if any."""
    hidden = [
        checkin
        for checkin in await work.checkins.all_open_for(member.id)
        if checkin.alarm in HIDDEN_ALARMS and checkin.status == Status.ALERTED
    ]
    return max(hidden, key=lambda checkin: checkin.alerted_at or checkin.started_at, default=None)


async def heard_codeword(work: Work, member: Member, text: str) -> str | None:
    """When `text` is her code word, or her detention word (the police hold her): raise that
    alarm silently and return her chosen reply ("none" for silence), the same for both. None
    when it is neither, and nothing happens. Her chat then behaves exactly as if nothing
    happened: a check-in she had goes on, none appears."""
    phrase = normalize_phrase(text)
    if not phrase:
        return None
    reply = await work.safety.codeword_reply_if_matches(member.id, phrase)
    if reply is not None:
        await raise_hidden(work, member, Alarm.CODEWORD)
        return reply
    reply = await work.safety.detention_reply_if_matches(member.id, phrase)
    if reply is not None:
        await raise_hidden(work, member, Alarm.SILENT_DETAINED)
    return reply


async def reply_to_unknown(work: Work, member: Member) -> str | None:
    """What free text the bot does not understand gets once she has a code word: the reply
    she chose for it ("none": silence), so that her code word's answer is like any other.
    None without a code word (the usual hint)."""
    current = await work.safety.settings(member.id)
    if not current.has_codeword and not current.has_detention_word:
        return None
    return current.codeword_reply or DEFAULT_REPLY


async def nobody_to_alert(work: Work, member: Member) -> bool:
    """No contact yet: an SOS, her code word or her duress PIN would alert nobody."""
    return await work.contacts.count_of_worker(member.id) == 0


async def set_codeword(work: Work, member: Member, text: str) -> str | Refused:
    """Keep a keyed digest of her phrase; returns the reply she will get (kept if set)."""
    phrase = clean_codeword(text)
    if isinstance(phrase, Refused):
        return phrase
    if not await work.safety.set_codeword(member.id, phrase, DEFAULT_REPLY):
        return Refused("codeword.error.same")
    return (await work.safety.settings(member.id)).codeword_reply or DEFAULT_REPLY


async def set_detention_word(work: Work, member: Member, text: str) -> Refused | None:
    """Her detention word: a second code word that tells her contacts the police hold her.
    The same rules as her code word (never digits, which are PINs; no everyday words), not
    her code word, and only once she has one: it answers with her code word's reply."""
    if not (await work.safety.settings(member.id)).has_codeword:
        return Refused("codeword.detained.error.first")
    phrase = clean_codeword(text)
    if isinstance(phrase, Refused):
        return phrase
    if not await work.safety.set_detention_word(member.id, phrase):
        return Refused("codeword.error.same")
    return None


async def clear_detention_word(work: Work, member: Member) -> None:
    await work.safety.clear_detention_word(member.id)


async def set_codeword_reply(work: Work, member: Member, reply: str) -> str | Refused:
    if reply not in CODEWORD_REPLIES:
        return Refused("codeword.error.stale")
    if not await work.safety.set_codeword_reply(member.id, reply):
        return Refused("codeword.error.stale")
    return reply


async def clear_codeword(work: Work, member: Member) -> bool:
    """Her code word goes, and her detention word with it (it answers with the code word's
    reply); True when she had one."""
    had = (await work.safety.settings(member.id)).has_detention_word
    await work.safety.clear_codeword(member.id)
    await work.safety.clear_detention_word(member.id)
    return had


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
    await shifts.checkin_changed(work, member.id)
    told = await tell_contacts_resolved(work, member, checkin, None)
    if checkin.drill is not None:
        await drills.report(work, checkin)
    return StoodDown(told)


async def with_pin(
    work: Work, member: Member, checkin_id: str | None, action: Guarded, pin: str
) -> Ended | StoodDown | WrongPin | Refused:
    """A guarded action with the PIN she typed. The safety PIN does it; the duress PIN
    answers exactly the same and alerts her contacts instead; so do three wrong PINs."""
    match = await work.safety.check_pin(member.id, pin)
    if match is None or match == PinMatch.SAFE:  # without PINs, nothing to check
        return await _act(work, member, checkin_id, action)
    checkin = await _guarded(work, member, checkin_id, action)
    if isinstance(checkin, Refused):
        return checkin
    if match == PinMatch.DURESS:
        return await _duress(work, member, checkin, action)
    tries = checkin.pin_tries + 1
    if tries < PIN_TRIES:
        await work.checkins.save(replace(checkin, pin_tries=tries))
        return WrongPin(PIN_TRIES - tries)
    # Whoever typed three wrong PINs may be guessing hers: to him it worked, as with the
    # duress PIN, while her contacts are alerted (docs/threat-model.md, "Three wrong PINs").
    return await _duress(work, member, checkin, action, Alarm.PIN_FAILED)


async def _duress(
    work: Work, member: Member, checkin: CheckIn, action: Guarded, alarm: Alarm = Alarm.DURESS
) -> Ended | StoodDown:
    """The duress PIN, or three wrong PINs (`alarm`): her chat shows what the safety PIN
    would have done (the same reply, the same check-in left running or not), and her
    contacts get a danger alert instead of
    being told she is fine. The number of contacts in her reply is the one the safety PIN
    would have told: those alerted now."""
    now = work.clock.now()
    checkin = drills.real_unless_rehearsed(checkin, alarm)
    after = timers.stand_down(checkin, now, work.policy) if action == Guarded.OK else None
    if after is not None and after.status == Status.ACTIVE:
        # "All good" after an SOS, with a timer still ahead: for her the timer goes on, as
        # after the safety PIN; the alarm goes on for her contacts, hidden from her.
        await work.checkins.save(after)
        raised = await raise_hidden(work, member, alarm, source=checkin)
        await shifts.checkin_changed(work, member.id)  # as after the safety PIN
        return StoodDown(raised.contacts)
    # Her check-in ends for her (it is hidden from now on) and alerts her contacts and her
    # partners; every status message of her shift changes as after the safety PIN (hers
    # says she is free; her partners' that she is not).
    raised_checkin = timers.raise_alarm(checkin, alarm, now, work.policy)
    await work.checkins.save(raised_checkin)
    told = await alert_contacts(work, raised_checkin)
    await shifts.checkin_changed(work, member.id)
    if action == Guarded.OK:
        return StoodDown(told)
    return Ended(raised_checkin, checkin.status == Status.ALERTED and told > 0)
