"""Durations as a worker types them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.durations import DurationError, parse_duration, split_duration


@pytest.mark.parametrize(
    ("word", "minutes"),
    [
        ("45m", 45),
        ("1h", 60),
        ("1h30", 90),
        ("1:30", 90),
        ("90", 90),
        ("2 h", 120),
        ("1.5h", 90),
        ("24h", 1440),
        ("1", 1),
        ("3horas", 180),
        ("20min", 20),
    ],
)
def test_accepted(word: str, minutes: int) -> None:
    assert parse_duration(word) == timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("word", "reason"),
    [
        ("0", "duration.error.short"),
        ("0m", "duration.error.short"),
        ("25h", "duration.error.long"),
        ("1441", "duration.error.long"),
        ("-5", "duration.error.format"),
        ("abc", "duration.error.format"),
        ("", "duration.error.format"),
        ("1h99", "duration.error.format"),
        ("1:75", "duration.error.format"),
    ],
)
def test_refused_with_a_reason(word: str, reason: str) -> None:
    assert parse_duration(word) == DurationError(reason)


def test_split_takes_the_first_word_and_keeps_the_rest() -> None:
    assert split_duration("45m Hotel Real, P-1") == (timedelta(minutes=45), "Hotel Real, P-1")
    assert split_duration("45m,Hotel") == (timedelta(minutes=45), "Hotel")
    assert split_duration("   ") == (None, "")


@given(st.text(max_size=40))
def test_any_text_is_a_bounded_duration_or_a_reason(text: str) -> None:
    result = parse_duration(text)
    if isinstance(result, DurationError):
        assert result.reason.startswith("duration.error.")
    else:
        assert timedelta(minutes=1) <= result <= timedelta(hours=24)
