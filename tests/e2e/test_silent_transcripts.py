"""Silent alarms stay silent: for each one, the same actions of hers are run twice, once
raising the alarm and once not, each with one contact who blocked the bot; her chat's
transcript (texts, buttons and their layout, edits, deletions, protect_content, answered
presses, her command menu) is the same in both, ids and clock times masked, and so is what
her next /checkin, /extend, /safe, /contacts and an unknown text bring.

Someone who holds her phone, or reads it later, must not be able to tell that she raised an
alarm (issue 14, "Silent alarms stay silent")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest

from bot.emulator import ChatEvent, EmulatedUser
from tests.e2e.conftest import World
from tests.support.catalog import said
from tests.telegram.test_discreet_words import BANNED_WORD

SAFE_PIN, DURESS_PIN = "482913", "735260"
CODEWORD = "pistache azul marino"
NOT_CODEWORD = "pistache verde limon"  # a phrase of hers that is not the code word
DETENTION_WORD = "luna de papel morado"  # her second code word: the police hold her
CONTACTS = ("Luz", "Eva")  # Eva blocked the bot

# 21:45, 9:45 PM (Babel puts a narrow no-break space before PM)
CLOCK = re.compile(r"\d{1,2}:\d{2}(?:[\s\u202f]?[APap]\.?\s?[Mm]\.?)?")
# Ids in callback data and links: check-in ids, tokens.
ID = re.compile(r"[0-9A-Za-z_-]{8,}")


@dataclass(frozen=True)
class Worker:
    """One of the two runs: the worker, and her contacts (the last one blocked the bot)."""

    user: EmulatedUser
    contacts: tuple[EmulatedUser, ...]
    alias: str


def masked(text: str | None, alias: str) -> str | None:
    if text is None:
        return None
    return CLOCK.sub("<time>", text.replace(alias, "<alias>"))


def layout(markup: dict[str, Any] | None, alias: str) -> list[list[tuple[str, str]]] | None:
    """Her buttons row by row: each label, and what pressing it does with ids masked."""
    if not markup:
        return None
    rows = []
    for row in markup.get("inline_keyboard") or []:
        buttons = []
        for button in row:
            target = button.get("callback_data") or button.get("url") or ""
            buttons.append(
                (masked(str(button.get("text", "")), alias) or "", ID.sub("<id>", target))
            )
        rows.append(buttons)
    return rows


def transcript(world: World, worker: Worker, since: int) -> list[tuple[Any, ...]]:
    """What happened in her chat after its first `since` events, as anyone reading it sees
    it: message ids counted from the first one after `since`."""
    events: list[ChatEvent] = world.emulator.history(worker.user.chat_id)[since:]
    first = min((e.message_id for e in events if e.message_id), default=0)
    seen = []
    for event in events:
        seen.append(
            (
                event.action,
                event.message_id - first if event.message_id else None,
                event.by_bot,
                masked(event.text, worker.alias),
                layout(event.reply_markup, worker.alias),
                event.protect_content,
                event.location,
                event.show_alert,
            )
        )
    return seen


def menu(world: World, worker: Worker) -> list[tuple[str, str]]:
    return [(str(c["command"]), str(c["description"])) for c in world.emulator.menu(worker.user)]


def alerts(contact: EmulatedUser) -> list[str]:
    """The alerts a contact received (an alert is always sent with protect_content)."""
    return [m.text for m in contact.inbox() if m.protect_content and m.text]


def described(lines: list[tuple[Any, ...]]) -> str:
    return "\n".join(repr(line) for line in lines)


async def invite(world: World, worker: EmulatedUser, contact: EmulatedUser, label: str) -> None:
    """`contact` accepts her invitation, under `label` (the same label in both runs), and
    she confirms it is her contact."""
    await worker.send(f"/invite {label}")
    invitation = await worker.receives(containing=said("invite.created", worker.language_code))
    token = (invitation.text or "").rsplit("start=", 1)[1].split()[0]
    await contact.send(f"/start {token}")
    await world.settle()
    offer = [m for m in contact.inbox() if m.buttons()][-1]
    await contact.press(offer, offer.buttons()[0])
    await world.settle()
    await worker.press(None, said("button.contact_yes", worker.language_code))
    await world.settle()


async def worker(
    world: World,
    name: str,
    *,
    discreet: bool,
    pins: bool = False,
    codeword: bool = False,
    language: str = "es",
    detention: bool = False,
) -> Worker:
    """A worker with two contacts, one of whom then blocks the bot; her PINs, code word (and
    detention word), discreet mode and language set as asked."""
    (user,) = await world.members(name, language=language)
    contacts = await world.members(*(f"{label.lower()}{name}" for label in CONTACTS))
    for contact, label in zip(contacts, CONTACTS, strict=True):
        await invite(world, user, contact, label)
        await world.advance(seconds=1)  # her contacts in the order they accepted
    if pins:
        for text in ("/pin", SAFE_PIN, DURESS_PIN):
            await user.send(text)
            await world.settle()
    if codeword:
        await user.send(f"/codeword {CODEWORD}")
        await world.settle()
        await user.press(None, "cw:reply:thanks")
        await world.settle()
    if detention:
        await user.send(f"/codeword detained {DETENTION_WORD}")
        await world.settle()
    if discreet:
        await user.send("/discreet")
        await world.settle()
        await user.press(None, "ds:on")
    world.emulator.block(contacts[-1])
    await world.settle()
    return Worker(user, tuple(contacts), user.name.capitalize())


async def act(world: World, worker: Worker, *texts: str) -> None:
    """She sends each text, and the bot does all it does before the next one."""
    for text in texts:
        await worker.user.send(text)
        await world.settle()


async def afterwards(world: World, worker: Worker, pins: bool) -> None:
    """What she does next: a check-in, more time, "I'm safe" (with her safety PIN), her
    contacts, a text the bot does not understand; then time passes."""
    await act(world, worker, "/checkin 30m Hotel Luna hab 2", "/extend 15m", "/safe")
    if pins:
        await act(world, worker, SAFE_PIN)
    await act(world, worker, "/contacts", "hola, ¿cómo va todo?")
    await world.advance(minutes=40)


@dataclass(frozen=True)
class Case:
    name: str
    discreet: bool
    pins: bool
    codeword: bool
    before: tuple[str, ...]  # what she does first, the same in both runs
    alarm: tuple[str, ...]  # then, raising the alarm
    harmless: tuple[str, ...]  # or, not
    language: str = "es"
    detention: bool = False  # she has a detention word too


CHECKIN = "/checkin 1h Hotel Sol hab 4, Tsuru blanco TEST-1122"
CASES = [
    Case("duress PIN", False, True, False, (CHECKIN, "/safe"), (DURESS_PIN,), (SAFE_PIN,)),
    Case(
        "duress PIN, discreet", True, True, False, (CHECKIN, "/safe"), (DURESS_PIN,), (SAFE_PIN,)
    ),
    Case("code word", False, False, True, (), (CODEWORD,), (NOT_CODEWORD,)),
    Case("code word, discreet", True, False, True, (), (CODEWORD,), (NOT_CODEWORD,)),
    Case("detention word", False, False, True, (), (DETENTION_WORD,), (NOT_CODEWORD,), "es", True),
    Case(
        "detention word, discreet",
        True,
        False,
        True,
        (),
        (DETENTION_WORD,),
        (NOT_CODEWORD,),
        "es",
        True,
    ),
    Case(
        "three wrong PINs, discreet",
        True,
        True,
        False,
        (CHECKIN, "/safe", "111111", "222222"),
        ("333333",),
        (SAFE_PIN,),
    ),
    Case("/sos, discreet", True, False, False, (), ("/sos",), ("/hola",)),
    Case(
        "three wrong PINs, discreet, in English",
        True,
        True,
        False,
        (CHECKIN, "/safe", "111111", "222222"),
        ("333333",),
        (SAFE_PIN,),
        "en",
    ),
    Case("/sos, discreet, in English", True, False, False, (), ("/sos",), ("/hello",), "en"),
    Case("/detenida, discreet", True, False, False, (CHECKIN,), ("/detenida",), ("/hola",)),
    Case("/detained, discreet, English", True, False, False, (), ("/detained",), ("/hi",), "en"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
async def test_a_silent_alarm_leaves_the_same_transcript_as_no_alarm(
    world: World, case: Case
) -> None:
    runs = {}
    for name, actions in (("ana", case.alarm), ("bea", case.harmless)):
        her = await worker(
            world,
            name,
            discreet=case.discreet,
            pins=case.pins,
            codeword=case.codeword,
            language=case.language,
            detention=case.detention,
        )
        mark = len(world.emulator.history(her.user.chat_id))
        await act(world, her, *case.before, *actions)
        raised = transcript(world, her, mark)
        await afterwards(world, her, case.pins)
        runs[name] = (her, mark, raised)
    await world.settle()

    (ana, ana_mark, ana_alarm), (bea, bea_mark, bea_harmless) = runs["ana"], runs["bea"]
    assert alerts(ana.contacts[0]), "the alarm went out"
    assert not alerts(bea.contacts[0]), "no alarm"
    assert described(ana_alarm) == described(bea_harmless), "her chat right after the alarm"
    everything = transcript(world, ana, ana_mark), transcript(world, bea, bea_mark)
    assert described(everything[0]) == described(everything[1]), "her chat afterwards"
    assert menu(world, ana) == menu(world, bea)
    if case.discreet:  # and nothing she was shown names what the bot is for
        words = [line[3] for line in everything[0] if line[3]]  # texts, and button labels
        words += [label for line in everything[0] for row in line[4] or [] for label, _ in row]
        words += [f"/{command} {line}" for command, line in menu(world, ana)]
        assert not [w for w in words if BANNED_WORD.search(w)]
