"""The pure rules of the silent alarms: phrases, PINs, raising and standing down."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.app import policy_from
from bot.config import Settings
from bot.core import timers
from bot.core.context import Refused
from bot.core.records import CheckIn
from bot.core.safety import (
    COMMON_WORDS,
    clean_codeword,
    common_words,
    normalize_phrase,
    parse_pin,
)
from bot.core.timers import Alarm, Stage, Status

NOW = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
POLICY = policy_from(Settings())
WORDS = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzñ", min_size=1, max_size=8), min_size=1, max_size=5
)


def test_case_accents_punctuation_and_spaces_do_not_count() -> None:
    same = [
        "¿Me traes cigarros?",
        "me traes cigarros",
        "  ME TRÁES   CIGARROS ",
        "me, traes... cigarros!",
    ]
    assert {normalize_phrase(text) for text in same} == {"me traes cigarros"}
    assert normalize_phrase("oye ¿me traes cigarros?") != "me traes cigarros"
    assert normalize_phrase("🍕 pizza") == "🍕 pizza"  # symbols are part of a phrase


@given(WORDS, st.sampled_from(["upper", "title", "accents", "spaces"]))
def test_a_phrase_written_another_way_normalizes_the_same(words: list[str], how: str) -> None:
    phrase = " ".join(words)
    if how == "upper":
        other = phrase.upper()
    elif how == "title":
        other = phrase.title()
    elif how == "accents":
        other = unicodedata.normalize(
            "NFC", "".join(c + "\u0301" if c in "aeiou" else c for c in phrase)
        )
    else:
        other = "  " + "   ".join(words) + " "
    assert normalize_phrase(other) == normalize_phrase(phrase)


@given(WORDS, WORDS)
def test_a_longer_message_is_never_the_phrase(words: list[str], more: list[str]) -> None:
    phrase = " ".join(words)
    assert normalize_phrase(phrase + " " + " ".join(more)) != normalize_phrase(phrase)


def test_code_word_refusals() -> None:
    assert clean_codeword("ab") == Refused("codeword.error.short", {"min": "8"})
    assert clean_codeword("¿?¿?¿?") == Refused("codeword.error.short", {"min": "8"})
    assert clean_codeword("1234 5678") == Refused("codeword.error.digits")
    assert clean_codeword("x" * 101) == Refused("codeword.error.long", {"max": "100"})
    assert clean_codeword("Pistache azul") == "pistache azul"


SHORT = Refused("codeword.error.short", {"min": "8"})
COMMON = Refused("codeword.error.common")

# Phrase -> what becomes of it: refused (why), or kept (as compared).
CODE_WORDS = {
    # one word, however long or rare: under 2 words
    "hola": SHORT,
    "Pistache": SHORT,
    "supercalifragilístico": SHORT,
    # two words, under 8 letters
    "ya voy": SHORT,
    "ok ok": SHORT,
    "mi gato": SHORT,
    "se fue": SHORT,
    # only everyday chat words, Spanish and English, WhatsApp-style included
    "ok gracias": COMMON,
    "Hola amor": COMMON,
    "¡Hola, amor!": COMMON,
    "jajaja sí": COMMON,
    "te quiero mucho": COMMON,
    "buenas noches bb": COMMON,
    "ya llegué bien": COMMON,
    "¿dónde estás?": COMMON,
    "gracias amiga": COMMON,
    "ahorita te contesto": COMMON,
    "ok va, nos vemos": COMMON,
    "¿Qué onda, amiga?": COMMON,
    "estoy en camino": COMMON,
    "good night": COMMON,
    "see you later": COMMON,
    "okay, on my way": COMMON,
    "lol ok thanks": COMMON,
    "love you babe": COMMON,
    "hello there": COMMON,
    # ordinary-sounding but unusual: kept
    "¿compraste las naranjas?": "compraste las naranjas",
    "¿Me traes cigarros?": "me traes cigarros",
    "Pistache azul": "pistache azul",
    "la tía Chela llamó": "la tia chela llamo",
    "riega los helechos": "riega los helechos",
    "did you buy the oranges?": "did you buy the oranges",
    "can you bring me cigarettes?": "can you bring me cigarettes",
    "the blue umbrella": "the blue umbrella",
}


def test_code_words_everyday_short_and_good() -> None:
    outcomes = {phrase: clean_codeword(phrase) for phrase in CODE_WORDS}
    assert outcomes == CODE_WORDS


def test_the_common_words_are_at_least_300_per_language() -> None:
    text = COMMON_WORDS.read_text(encoding="utf-8")
    spanish, english = text.split("# --- English", 1)
    for part in (spanish, english):
        words = {
            word
            for line in part.splitlines()
            for word in normalize_phrase(line.split("#", 1)[0]).split()
        }
        assert len(words) >= 300
    assert {"hola", "ok", "si", "gracias", "jaja", "bien", "ya", "amor", "bb"} <= common_words()
    assert {"hi", "ok", "thanks", "lol", "yes", "babe", "omw"} <= common_words()


def test_pins_are_4_to_8_digits_in_any_script() -> None:
    assert parse_pin("4821") == "4821"
    assert parse_pin(" 48 21 93 ") == "482193"
    assert parse_pin("٤٨٢١") == "4821"  # Arabic-Indic digits on some keyboards
    for bad in ("482", "123456789", "12a4", "", "４８２一"):
        assert parse_pin(bad) is None, bad


def running(minutes: int = 60) -> CheckIn:
    return timers.start("c1", "m1", NOW, timedelta(minutes=minutes), POLICY)


def test_an_sos_is_a_fresh_round_that_nobody_acknowledged() -> None:
    missed = timers.advance(running(1), timers.Step.ALERT, NOW + timedelta(minutes=10), POLICY)
    acked = timers.acknowledge(missed, "contact-1", POLICY)
    later = NOW + timedelta(minutes=20)
    sos = timers.raise_alarm(acked, Alarm.SOS, later, POLICY)
    assert (sos.status, sos.alarm, sos.alerted_at, sos.alerts_sent) == (
        Status.ALERTED,
        "sos",
        later,
        1,
    )
    assert sos.acknowledged_by is None
    assert sos.next_action_at == later + POLICY.alert_repeat_every


def test_standing_down_resumes_a_timer_that_has_time_left() -> None:
    sos = timers.raise_alarm(running(60), Alarm.SOS, NOW + timedelta(minutes=5), POLICY)
    resumed = timers.stand_down(sos, NOW + timedelta(minutes=6), POLICY)
    assert resumed.status == Status.ACTIVE and resumed.alarm is None
    assert resumed.stage == Stage.NONE
    assert resumed.next_action_at == NOW + timedelta(minutes=50)  # the reminder, as before
    late = timers.stand_down(sos, NOW + timedelta(minutes=55), POLICY)
    assert late.stage == Stage.REMINDED and late.next_action_at == NOW + timedelta(minutes=60)


def test_standing_down_without_time_left_ends_safe() -> None:
    alone = timers.start("c2", "m1", NOW, timedelta(0), POLICY)
    sos = timers.raise_alarm(alone, Alarm.SOS, NOW, POLICY)
    ended = timers.stand_down(sos, NOW + timedelta(minutes=1), POLICY)
    assert ended.status == Status.SAFE and ended.details is None and ended.location is None
