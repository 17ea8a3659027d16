"""Counted messages take the form for their count ("1 aviso", "2 avisos"), and the Spanish
catalog says "Toca", not "Pulsa"."""

from __future__ import annotations

import re
import string

import pytest
from babel.messages.pofile import read_po

from bot.i18n import LOCALES, counted, languages, t

COUNTS = (0, 1, 2, 5)
# Nouns that follow a number in the catalogs: (singular, plural).
NOUNS = {
    "es": [
        ("aviso", "avisos"),
        ("compañera", "compañeras"),
        ("integrante", "integrantes"),
        ("persona", "personas"),
        ("contacto", "contactos"),
        ("número", "números"),
        ("mensaje", "mensajes"),
        ("minuto", "minutos"),
        ("hora", "horas"),
        ("día", "días"),
        ("vez", "veces"),
        ("intento", "intentos"),
        ("carácter", "caracteres"),
    ],
    "en": [
        ("warning", "warnings"),
        ("member", "members"),
        ("person", "people"),
        ("contact", "contacts"),
        ("number", "numbers"),
        ("message", "messages"),
        ("minute", "minutes"),
        ("hour", "hours"),
        ("day", "days"),
        ("time", "times"),
        ("try", "tries"),
        ("character", "characters"),
    ],
}
# A plural verb or phrase before a count of one, or a singular one before more.
WRONG_WITH_ONE = {
    "es": re.compile(r"\b(son|faltan|quedan|recibieron|respondan) 1\b"),
    "en": re.compile(r"\b(are) 1\b"),
}
# Messages with a number that need no plural forms, and why.
NOT_COUNTED = {
    "alert.missed.repeat": "a round's ordinal: (aviso repetido 2)",
    "pin.wrong": "no noun after the number: Intentos que te quedan: 1",
    "moderation.pending": "no noun after the number: (1 en espera)",
    "moderation.published": "no noun after the number: (1 más en espera)",
    "network.members": "page numbers",
    "codeword.error.short": "a fixed minimum, never 1",
    "checkin.started": "{duration} is written with units, 1 h / 45 min",
    "checkin.started.discreet": "{duration} is written with units, 1 h / 45 min",
    "checkin.alert_sent.discreet": "no noun after the number: Ya avisé (1)",
    "button.record_days": "her record's period: 30, 90 or 365 días, never 1",
    "record.saved_on": "her record's period: 30, 90 or 365 días, never 1",
    "record.period_saved": "her record's period: 30, 90 or 365 días, never 1",
    "record.empty": "her record's period: 30, 90 or 365 días, never 1",
    "record.options": "her record's period: 30, 90 or 365 días, never 1",
    "button.record_delete": "no noun after the number: 🗑 1",
    "record.error.full": "a fixed maximum of entries (200), never 1",
    "button.support_write_n": "no noun after the number: ✍️ Escribir 1",
    "button.support_close_n": "no noun after the number: ✖️ Cerrar 1",
    "button.support_delete_n": "no noun after the number: 🗑 Borrar 1",
    "button.support_open_n": "no noun after the number: 📂 Abrir 1",
    "support.error.too_many": "a fixed maximum of open cases per network (3), never 1",
    "shift.note.saved_last": "a fixed maximum of notes per check-in (5), never 1",
    "shift.note.full": "a fixed maximum of notes per check-in (5), never 1",
}
NUMBER_NAMES = {"count", "max", "min", "n", "tries", "waiting", "page", "pages", "days"}


def entries(language: str) -> dict[str, list[str]]:
    """Every message of a catalog, by key, with its forms (one for a plain message)."""
    with (LOCALES / language / "LC_MESSAGES" / "companera.po").open("rb") as po:
        return {
            (m.id[0] if isinstance(m.id, tuple) else m.id): (
                list(m.string) if isinstance(m.string, tuple) else [m.string]
            )
            for m in read_po(po, locale=language)
            if m.id
        }


def names(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def counted_keys(language: str) -> list[str]:
    return sorted(key for key in entries(language) if counted(language, key))


def mistakes(language: str, text: str, n: int) -> list[str]:
    found = []
    for singular, plural in NOUNS[language]:
        wrong = plural if n == 1 else singular
        if re.search(rf"(?<![\d.,]){n} {wrong}\b", text):
            found.append(f"{n} {wrong}")
    if n == 1:
        found += [m.group(0) for m in WRONG_WITH_ONE[language].finditer(text)]
    return found


@pytest.mark.parametrize("language", ["es", "en"])
def test_every_counted_message_agrees_with_its_count(language: str) -> None:
    keys = counted_keys(language)
    assert len(keys) >= 12, keys
    wrong = []
    for key in keys:
        placeholders = set().union(*(names(text) for text in entries(language)[key]))
        assert "count" in placeholders, key
        for n in COUNTS:
            params = {name: "X" for name in placeholders - {"count"}}
            text = t(language, key, count=n, **params)
            wrong += [(key, n, mistake) for mistake in mistakes(language, text, n)]
    assert not wrong


def test_the_check_catches_a_wrong_form() -> None:
    assert mistakes("es", "Hay 1 avisos", 1) == ["1 avisos"]
    assert mistakes("es", "A 1 compañeras", 1) == ["1 compañeras"]
    assert mistakes("es", "Ya son 1 a las que", 1) == ["son 1"]
    assert mistakes("es", "Hay 2 aviso", 2) == ["2 aviso"]
    assert mistakes("en", "1 warnings", 1) == ["1 warnings"]
    assert not mistakes("es", "Hay 1 aviso sobre ese número", 1)


@pytest.mark.parametrize("language", languages())
def test_a_message_with_a_count_has_plural_forms_or_a_reason(language: str) -> None:
    """A new message with a number must be counted, or say here why it needs no forms."""
    uncounted = []
    for key, texts in entries(language).items():
        base = re.sub(r"(\.(discreet|he|neutral))+$", "", key)  # a variant, as its message
        if counted(language, key) or key in NOT_COUNTED or base in NOT_COUNTED:
            continue
        if names(texts[0]) & NUMBER_NAMES and not re.search(
            r"\{max\} caracteres|\{max\} characters|1 y \{max\}|1 and \{max\}", texts[0]
        ):
            uncounted.append(key)
    assert not uncounted


@pytest.mark.parametrize("language", languages())
def test_counted_messages_take_count_as_a_string_too(language: str) -> None:
    """A refusal's parameters are strings: "1" takes the singular."""
    for key in counted_keys(language):
        placeholders = set().union(*(names(text) for text in entries(language)[key]))
        params = {name: "X" for name in placeholders - {"count"}}
        assert t(language, key, count="1", **params) == t(language, key, count=1, **params)


def test_spanish_says_toca_and_the_pin_has_digits() -> None:
    for key, texts in entries("es").items():
        for text in texts:
            assert not re.search(r"\bpulsa", text, re.IGNORECASE), key
            assert "El PIN son" not in text, key


def test_a_reply_queued_before_its_message_was_counted_still_reads_right() -> None:
    """Outbox rows written by the previous version name the number n=, max=, days=..."""
    assert t("es", "clean.done", n=1) == t("es", "clean.done", count=1)
    assert t("es", "invite.error.full", max="5") == t("es", "invite.error.full", count=5)
    assert t("en", "members.idle_notice", days=1) == t("en", "members.idle_notice", count=1)
