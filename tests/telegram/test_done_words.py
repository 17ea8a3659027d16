""""Ya estoy bien" in words: the phrase table. Every phrase of every catalog is accepted as
she may type it; near misses stay details."""

from __future__ import annotations

import pytest

from bot.i18n import languages, t
from bot.telegram.done_words import PHRASES_KEY, normalize, says_done


def catalog_phrases() -> list[str]:
    return [p for lang in languages() for p in t(lang, PHRASES_KEY).split("|")]


# As she types them: case, accents or none, punctuation, emoji, letters held down.
TYPED = [
    "ya estoy bien",
    "Ya estoy bien",
    "YA ESTOY BIEN!!",
    "ya estoy bien :)",
    "Ya estoy bien 🙂",
    "estoy bien",
    "ya salí",
    "ya sali",
    "Ya salí.",
    "todo bien",
    "todo biennn",
    "Todo bien 👍",
    "listo",
    "Listo!",
    "listooo",
    "lista",
    "ya",
    "Ya.",
    "yaaa",
    "YAAAA!!!",
    "ya terminé",
    "ya termine",
    "ya me fui",
    "ya me fuí",
    "bien",
    "ya, todo bien",
    "listo, ya salí",
    "ya estoy en casa",
    "I'm ok",
    "I’m OK",
    "im ok",
    "i am fine",
    "im fine",
    "all good",
    "All good.",
    "done",
    "Done!",
    "I'm safe",
    "im safe 🙏",
    "i'm done",
]

# Near misses: each stays a detail (or free text).
NEAR_MISSES = [
    "llegué bien al hotel sol",
    "bien, hotel sol hab 12",
    "Hotel Bienestar, cuarto 12",
    "bienvenida",
    "no estoy bien",
    "no",
    "todavía no",
    "ya casi",
    "ya voy",
    "ya mero",
    "ya llegué",
    "estoy",
    "todo",
    "hotel luna",
    "estoy con un cliente",
    "listo el cuarto 12",
    "todo bien con él, hab 12",
    "no todo bien",
    "ayuda",
    "ok",
    "vale",
    "placa ABC-123",
    "55 0000 0000",
    "👍",
    "...",
    "",
    "not ok",
    "I'm not ok",
    "done at 10",
    "help",
    "safe word",
    "ya " * 13,  # a long message is something she is telling
]


@pytest.mark.parametrize("phrase", catalog_phrases())
def test_every_phrase_of_the_catalogs_is_accepted(phrase: str) -> None:
    assert says_done(phrase), phrase


@pytest.mark.parametrize("typed", TYPED)
def test_phrases_as_she_types_them(typed: str) -> None:
    assert says_done(typed), typed


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_misses_stay_details(text: str) -> None:
    assert not says_done(text), text


def test_normalize() -> None:
    assert normalize("¡¡YAAA, Todo BIÉN!! 👍") == "ya todo bien"
    assert normalize("I’m OK") == normalize("im ok") == "im ok"


def test_every_language_has_phrases_and_none_is_empty() -> None:
    for language in languages():
        listed = t(language, PHRASES_KEY).split("|")
        assert len(listed) >= 10, language
        assert all(normalize(p) for p in listed), language
