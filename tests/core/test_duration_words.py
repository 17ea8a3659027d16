"""Durations as a worker types them, in Spanish and English: every form below is one she
may type after /checkin, at the duration step, after "Otro" or after /extend."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.durations import (
    DurationError,
    looks_like_duration,
    needs_confirmation,
    parse_duration,
    split_duration,
)

PHRASES = [
    # digits and units
    ("45m", 45),
    ("1h", 60),
    ("1 h", 60),
    ("1 hr", 60),
    ("1hr", 60),
    ("2 hrs", 120),
    ("1 hora", 60),
    ("1 HORA", 60),
    ("2 horas", 120),
    ("3horas", 180),
    ("24h", 1440),
    ("90 min", 90),
    ("90min", 90),
    ("20 mins", 20),
    ("20min", 20),
    ("45 minutos", 45),
    ("1 minuto", 1),
    ("90 minutes", 90),
    ("2 hours", 120),
    # a bare number is minutes
    ("90", 90),
    ("1", 1),
    # hours and minutes
    ("1h30", 90),
    ("1h30m", 90),
    ("1h5", 65),
    ("1:30", 90),
    ("1:30 h", 90),
    ("1.30", 90),
    ("2.45", 165),
    ("1 hora 30", 90),
    ("1 hora y 30", 90),
    ("1 hora y 30 minutos", 90),
    ("2 h 15 min", 135),
    ("2 horas 45", 165),
    ("an hour and 15 minutes", 75),
    ("1 hour 30 minutes", 90),
    # decimals
    ("1.5 h", 90),
    ("1,5 h", 90),
    ("1.5h", 90),
    ("1,5 horas", 90),
    ("1.30 h", 90),
    # words for one
    ("una hora", 60),
    ("un minuto", 1),
    ("an hour", 60),
    ("one hour", 60),
    ("a minute", 1),
    # halves and quarters
    ("media hora", 30),
    ("una media hora", 30),
    ("hora y media", 90),
    ("Hora Y Media", 90),
    ("una hora y media", 90),
    ("1 hora y media", 90),
    ("dos horas y media", 150),
    ("una y media horas", 90),
    ("1 ½ h", 90),
    ("hora y cuarto", 75),
    ("dos horas y tres cuartos", 165),
    ("cuarto de hora", 15),
    ("un cuarto de hora", 15),
    ("3/4 de hora", 45),
    ("3/4 hora", 45),
    ("tres cuartos de hora", 45),
    ("half an hour", 30),
    ("half hour", 30),
    ("a half hour", 30),
    ("an hour and a half", 90),
    ("hour and a half", 90),
    ("one and a half hours", 90),
    ("a quarter of an hour", 15),
    ("three quarters of an hour", 45),
    # number words, Spanish (with and without accents) and English, up to sixty and on
    ("dos horas", 120),
    ("tres horas", 180),
    ("doce horas", 720),
    ("cuarenta y cinco minutos", 45),
    ("cuarenta y cinco", 45),
    ("veinte minutos", 20),
    ("veintidós minutos", 22),
    ("veintidos minutos", 22),
    ("veintitrés minutos", 23),
    ("veintitres minutos", 23),
    ("veintiún minutos", 21),
    ("veintiun minutos", 21),
    ("dieciséis minutos", 16),
    ("dieciseis minutos", 16),
    ("cincuenta y nueve minutos", 59),
    ("sesenta minutos", 60),
    ("sesenta", 60),
    ("noventa", 90),
    ("una hora treinta", 90),
    ("two hours", 120),
    ("forty five minutes", 45),
    ("forty-five minutes", 45),
    ("twenty mins", 20),
    ("sixty minutes", 60),
]


@pytest.mark.parametrize(("phrase", "minutes"), PHRASES)
def test_accepted(phrase: str, minutes: int) -> None:
    assert parse_duration(phrase) == timedelta(minutes=minutes)


@pytest.mark.parametrize(("phrase", "minutes"), PHRASES)
def test_every_form_leaves_the_details_alone(phrase: str, minutes: int) -> None:
    assert split_duration(f"{phrase} Hotel Sol, placa TEST-000") == (
        timedelta(minutes=minutes),
        "Hotel Sol, placa TEST-000",
    )


@pytest.mark.parametrize(
    ("phrase", "reason"),
    [
        ("0", "duration.error.short"),
        ("0m", "duration.error.short"),
        ("cero minutos", "duration.error.short"),
        ("25h", "duration.error.long"),
        ("veinticinco horas", "duration.error.long"),
        ("1441", "duration.error.long"),
        ("-5", "duration.error.format"),
        ("abc", "duration.error.format"),
        ("", "duration.error.format"),
        ("1h99", "duration.error.format"),
        ("1:75", "duration.error.format"),
        ("1.5", "duration.error.format"),  # minutes or hours? she is asked again
        ("1.75 h", "duration.error.format"),
        ("45mHotel", "duration.error.format"),
        ("media", "duration.error.format"),
        ("una cita", "duration.error.format"),
        ("5 de mayo", "duration.error.format"),  # a street, not five minutes
        ("1 hora Hotel", "duration.error.format"),  # one duration, nothing else
    ],
)
def test_refused_with_a_reason(phrase: str, reason: str) -> None:
    assert parse_duration(phrase) == DurationError(reason)


@pytest.mark.parametrize(
    ("text", "minutes", "details"),
    [
        ("45m Hotel Real, P-1", 45, "Hotel Real, P-1"),
        ("45m,Hotel", 45, "Hotel"),
        ("1 hora Hotel Sol", 60, "Hotel Sol"),
        ("2 horas Hotel Sol", 120, "Hotel Sol"),
        ("hora y media Hotel Sol, placa ABC", 90, "Hotel Sol, placa ABC"),
        ("media hora, Hotel Sol", 30, "Hotel Sol"),
        ("1 hora 30 Hotel Sol", 90, "Hotel Sol"),
        ("1h. Hotel Sol", 60, "Hotel Sol"),
        ("90 Hotel Sol", 90, "Hotel Sol"),
        # details that start with a number keep it
        ("45m calle 5 de mayo 12", 45, "calle 5 de mayo 12"),
        ("45 calle 5 de mayo 12", 45, "calle 5 de mayo 12"),
        ("1h 5 de mayo 12", 60, "5 de mayo 12"),
        ("1h 16 de septiembre 40", 60, "16 de septiembre 40"),
        ("1 hora 2 hombres, auto gris", 60, "2 hombres, auto gris"),
        ("1 hora una cita", 60, "una cita"),
        ("1 hora y luego al hotel", 60, "y luego al hotel"),
        ("2h dos hombres", 120, "dos hombres"),
    ],
)
def test_split_keeps_the_details_as_she_wrote_them(text: str, minutes: int, details: str) -> None:
    assert split_duration(text) == (timedelta(minutes=minutes), details)


def test_split_without_a_duration() -> None:
    assert split_duration("   ") == (None, "")
    assert split_duration("Hotel Sol") == (DurationError("duration.error.format"), "")
    assert split_duration("5 de mayo 12") == (DurationError("duration.error.format"), "")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1h", True),
        ("hora y media", True),
        ("una hora", True),
        ("cuarenta", True),
        ("1h99", True),
        ("media", True),
        ("hola", False),
        ("ya estoy bien", False),
        ("listo", False),
        ("Hotel Sol", False),
        ("una cita", False),
        ("", False),
    ],
)
def test_what_looks_like_a_duration(text: str, expected: bool) -> None:
    assert looks_like_duration(text) is expected


@pytest.mark.parametrize(
    ("minutes", "asked"),
    [(1, True), (5, True), (9, True), (10, False), (45, False), (720, False), (721, True)],
)
def test_unusual_lengths_are_confirmed(minutes: int, asked: bool) -> None:
    assert needs_confirmation(timedelta(minutes=minutes)) is asked


@given(st.text(max_size=40))
def test_any_text_is_a_bounded_duration_or_a_reason(text: str) -> None:
    result = parse_duration(text)
    if isinstance(result, DurationError):
        assert result.reason.startswith("duration.error.")
    else:
        assert timedelta(minutes=1) <= result <= timedelta(hours=24)


@given(st.text(max_size=40))
def test_split_never_fails_and_the_details_are_her_own_words(text: str) -> None:
    duration, details = split_duration(text)
    assert details in text
    if isinstance(duration, timedelta):
        assert timedelta(minutes=1) <= duration <= timedelta(hours=24)


PIECES = [*"0123456789 :.,/hm½", " y ", " de ", "hora", "media", "cuarto", "una", "an", "half"]


@given(st.lists(st.sampled_from(PIECES), max_size=12).map("".join))
def test_duration_like_text_never_raises(text: str) -> None:
    result = parse_duration(text)
    if isinstance(result, timedelta):
        assert timedelta(minutes=1) <= result <= timedelta(hours=24)
