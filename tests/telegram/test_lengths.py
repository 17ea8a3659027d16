"""No message a worker reads in her normal flow is over 700 characters: every catalog text
(each plural form, each variant: discreet, form of address) with short values, and every
notification kind as rendered, in Spanish and English, discreet or not. The few long texts
she asks for are listed below with the reason."""

from __future__ import annotations

import string

import pytest
from babel.messages.pofile import read_po

from bot.core.notifications import notification_types
from bot.i18n import LOCALES, t
from bot.telegram.render import render
from tests.telegram.test_render import SAMPLES, member

LIMIT = 700
# Long on purpose, and only when she asks for them.
EXCEPTIONS = {
    "privacy.details": "the whole of what is kept and how, behind «Más detalles» in /privacy",
    "privacy.details.discreet": "the same, in neutral words, behind «Más detalles»",
}
# Values as short as real ones usually are; a network's own text and her own words (a
# warning, an announcement, her details) are as long as their authors make them.
SHORT = {
    "network": "\nTu red: /avisar de un cliente o un lugar · /revisar un número · /areas · /red",
    "coordinator": "\nCoordinas: /pending avisos por revisar · /newmember para sumar a alguien",
}


def texts(language: str) -> list[tuple[str, str]]:
    """(key, text) for every message and each of its plural forms."""
    with (LOCALES / language / "LC_MESSAGES" / "companera.po").open("rb") as po:
        found = []
        for message in read_po(po, locale=language):
            if not message.id:
                continue
            key = message.id[0] if isinstance(message.id, tuple) else message.id
            forms = message.string if isinstance(message.string, tuple) else (message.string,)
            found += [(key, form) for form in forms]
        return found


def filled(text: str) -> str:
    names = {name for _, name, _, _ in string.Formatter().parse(text) if name}
    return text.format(**{name: SHORT.get(name, "Ana 21:45") for name in names})


@pytest.mark.parametrize("language", ["es", "en"])
def test_no_catalog_text_is_over_the_limit(language: str) -> None:
    long = [
        (key, len(filled(text)))
        for key, text in texts(language)
        if key not in EXCEPTIONS and len(filled(text)) > LIMIT
    ]
    assert not long


@pytest.mark.parametrize("language", ["es", "en"])
def test_help_with_every_line_is_within_the_limit_and_ten_lines(language: str) -> None:
    for discreet in ("", ".discreet"):
        shown = t(
            language,
            "help.text" + discreet,
            network="\n" + t(language, "help.network"),
            coordinator="\n" + t(language, "help.coordinator"),
        )
        assert len(shown) <= LIMIT
        assert len(shown.splitlines()) <= 10


@pytest.mark.parametrize("kind", notification_types(), ids=lambda cls: cls.__name__)
def test_no_notification_is_over_the_limit(kind: type) -> None:
    long = []
    for notification in SAMPLES[kind]("Ana"):
        for language in ("es", "en"):
            for discreet in (False, True):
                part = render(notification, member(language, discreet))
                if part.text and len(part.text) > LIMIT:
                    long.append((notification.kind, language, discreet, len(part.text)))
    assert not long


def test_the_exceptions_are_still_long() -> None:
    """An exception that got short should leave the list."""
    for language in ("es", "en"):
        lengths = {key: len(filled(text)) for key, text in texts(language)}
        for key in EXCEPTIONS:
            assert lengths[key] > LIMIT, key
