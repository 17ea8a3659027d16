"""Discreet mode is complete: whatever can reach HER chat (not her contacts') in discreet
mode, in every language and every form of address, says none of the words that would tell
someone reading her phone what the bot is for. Every reply the handlers may give her (every
catalog key but those listed below, with the reason), every notification kind that goes to
her, every button label, and her menu.

The banned words are data (BANNED), matched as whole words, case and accents as written,
case-insensitively: "/checkin" is caught, "alertas" too, "contactar" is not."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.core.notifications import (
    Alert,
    AlertAcknowledged,
    AlertLocation,
    AlertResolved,
    ContactRemoved,
    DetentionNotice,
    Notification,
    Reply,
    notification_types,
)
from bot.core.records import Address, Member
from bot.i18n import LOCALES, catalog, languages, wording
from bot.telegram import commands
from bot.telegram.render import render
from tests.telegram.test_render import SAMPLES, shown

BANNED = {
    "es": (
        "alerta",
        "alertas",
        "SOS",
        "emergencia",
        "contactos",
        "contacto",
        "auxilio",
        "PIN",
        "check-in",
        "checkin",
        "peligro",
        "alarma",
        "policía",
    ),
    "en": (
        "alert",
        "emergency",
        "contacts",
        "contact",
        "SOS",
        "PIN",
        "check-in",
        "danger",
        "alarm",
        "police",
    ),
}
# Either language's words count in both: an English word left in a Spanish text gives it away.
WORDS = sorted({word for words in BANNED.values() for word in words}, key=len, reverse=True)
BANNED_WORD = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, WORDS)) + r")(?![\w-])", re.I)

# Keys that never reach her chat in discreet mode, and why. Everything else is checked.
NOT_HERS = {
    # Her contacts' messages: what they read about her (the point is that they know).
    "alert.": "an alert and what follows it go to her contacts",
    "invite.offer": "to the person she invites",
    "invite.accepted": "to the person who accepted her invitation",
    "contacts.removed": "to the contact she removed",
    "contact.unnamed_worker": "a worker's name as her contacts read it",
    "drill.received": "to the contact who pressed «Recibido» on her drill",
    # Not a message.
    "phrases.": "the phrases she may type ('estoy bien'): read, never shown",
    "command.": "menu lines: her discreet menu is checked as a whole below",
    # Network warnings: what peers must read plainly. Only English says "police" ("Police
    # extortion"); the Spanish is "Extorsión policial".
    "warning.kind.police": "the kind of a peer warning, in the /warn form and in warnings",
    # Shown only when discreet mode is off, to explain what it changes.
    "discreet.is_off": "shown only while discreet mode is off: it names the words it hides",
}
# Notification kinds that go to her contacts, never to her; and the detention notice, to the
# coordinators who chose to be their network's legal support (/legal), never to her.
CONTACTS_ONLY = {
    Alert,
    AlertLocation,
    AlertResolved,
    AlertAcknowledged,
    ContactRemoved,
    DetentionNotice,
}
VARIANT = re.compile(r"\.(discreet|he|neutral)(\.|$)")
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
WHO = "0" * 32
NOW = datetime(2026, 11, 20, 3, 30, tzinfo=UTC)


def her(language: str, address: Address) -> Member:
    return Member(
        WHO, 1, None, language, "America/Mexico_City", None, NOW, NOW, True, address=address
    )


def keys() -> list[str]:
    """Every base key of every catalog (variants are reached through `wording`)."""
    found: set[str] = set()
    for language in languages():
        with (LOCALES / language / "LC_MESSAGES" / "companera.po").open("rb") as po:
            for message in read_po(po):
                key = message.id[0] if isinstance(message.id, tuple) else message.id
                if key and not VARIANT.search(key):
                    found.add(key)
    return sorted(found)


def hers(key: str) -> bool:
    return not any(key == k or (k.endswith(".") and key.startswith(k)) for k in NOT_HERS)


def params_of(language: str, key: str) -> dict[str, object]:
    """Harmless values for every placeholder of the key and of its variants."""
    names = {"count"}
    for variant in (key, f"{key}.discreet"):
        text = catalog(language).gettext(variant) + catalog(language).ngettext(variant, "", 2)
        names |= set(PLACEHOLDER.findall(text))
    return {
        name: 2 if name in ("count", "n", "max", "min", "days", "tries") else "Nube"
        for name in names
    }


def giveaways(texts: list[str]) -> list[str]:
    return [
        f"{m.group()!r} in {text[:90]!r}" for text in texts for m in BANNED_WORD.finditer(text)
    ]


def everyone() -> Iterator[Member]:
    for language in languages():
        for address in Address:
            yield her(language, address)


def test_the_banned_words_are_caught_as_words() -> None:
    assert BANNED_WORD.search("Empieza con /checkin")
    assert BANNED_WORD.search("Avisé a tus Contactos")
    assert BANNED_WORD.search("un check-in")
    assert BANNED_WORD.search("PIN incorrecto")
    assert not BANNED_WORD.search("Toca para contactar")
    assert not BANNED_WORD.search("un pinchazo, alertado")


def test_no_exemption_is_stale() -> None:
    """Each exemption names keys that exist: a renamed key does not slip through."""
    every = keys()
    for exempt in NOT_HERS:
        assert any(k == exempt or (exempt.endswith(".") and k.startswith(exempt)) for k in every)


@pytest.mark.parametrize("key", [k for k in keys() if hers(k)])
def test_every_reply_to_her_is_discreet(key: str) -> None:
    """Each key a handler may say to her, as the reply renderer writes it in discreet mode;
    a button label's key as the handlers pick it (tested below)."""
    found = []
    for member in everyone():
        reply = Reply(WHO, key, params=params_of(member.language, key))
        part = render(reply, member)
        for problem in giveaways(shown(part)):
            found.append(f"{key} ({member.language}, {member.address}): {problem}")
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    "kind",
    [kind for kind in notification_types() if kind not in CONTACTS_ONLY and kind is not Reply],
    ids=lambda kind: kind.__name__,
)
def test_every_notification_to_her_is_discreet(kind: type[Notification]) -> None:
    found = []
    for notification in SAMPLES[kind]("Nube"):
        for member in everyone():
            for problem in giveaways(shown(render(notification, member))):
                found.append(f"{notification.kind} ({member.language}): {problem}")
    assert not found, "\n".join(found)


@pytest.mark.parametrize("language", languages())
def test_her_discreet_menu_is_discreet(language: str) -> None:
    lines = [f"/{c.command} {c.description}" for c in commands.menu(language, discreet=True)]
    assert lines
    assert not giveaways(lines)


BUTTON_IN_CODE = re.compile(r"\bt\(\s*[\w.]+\s*,\s*\"((?:\w+\.)?button\.[\w.]+)\"")


def test_handlers_use_the_discreet_label_of_every_button_that_has_one() -> None:
    """A button label written with t() directly would skip its neutral variant."""
    found = []
    for path in sorted(Path("bot/telegram").rglob("*.py")):
        for key in BUTTON_IN_CODE.findall(path.read_text(encoding="utf-8")):
            for language in languages():
                if wording(language, key, True) != key:
                    found.append(f"{path}: {key} without its discreet label")
    assert not found, "\n".join(sorted(set(found)))
