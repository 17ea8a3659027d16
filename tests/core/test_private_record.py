"""Her private record's rules, as plain values: when it happened, as she types it; when an
entry expires (her period, on the next day boundary, never finer)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.context import Refused
from bot.core.private_record import clean, expires_at, parse_when

NOW = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)  # 12:00 in Mexico City
ZONE = "America/Mexico_City"


def local(moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo(ZONE))


@pytest.mark.parametrize(
    ("typed", "day", "hour", "exact"),
    [
        ("", (2026, 3, 2), None, True),
        ("ahora", (2026, 3, 2), None, True),
        ("Hoy", (2026, 3, 2), 12, False),
        ("ayer", (2026, 3, 1), 12, False),
        ("yesterday", (2026, 3, 1), 12, False),
        ("anteayer", (2026, 2, 28), 12, False),
        ("ayer 22:30", (2026, 3, 1), 22, True),
        ("ayer a las 10pm", (2026, 3, 1), 22, True),
        ("hoy 9:15", (2026, 3, 2), 9, True),
        ("12/2", (2026, 2, 12), 12, False),
        ("12/02/2025", (2025, 2, 12), 12, False),
        ("12-2-25", (2025, 2, 12), 12, False),
        ("2025-02-12", (2025, 2, 12), 12, False),
        ("28/12", (2025, 12, 28), 12, False),  # in March: last December
        ("1/3 22:15", (2026, 3, 1), 22, True),
    ],
)
def test_when_as_she_types_it(
    typed: str, day: tuple[int, int, int], hour: int | None, exact: bool
) -> None:
    parsed = parse_when(typed, NOW, ZONE)
    assert not isinstance(parsed, Refused), typed
    moment, known = parsed
    assert (local(moment).year, local(moment).month, local(moment).day) == day
    assert known is exact
    if hour is not None:
        assert local(moment).hour == hour


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("el martes", "record.error.when"),
        ("31/2", "record.error.when"),
        ("ayer 25:00", "record.error.when"),
        ("3/3/2026", "record.error.when_range"),  # tomorrow
        ("hoy 23:00", "record.error.when_range"),  # later today
        ("1/1/1990", "record.error.when_range"),
    ],
)
def test_days_that_cannot_be_are_refused_kindly(typed: str, reason: str) -> None:
    assert parse_when(typed, NOW, ZONE) == Refused(reason)


def test_an_entry_expires_on_the_day_boundary_after_her_period() -> None:
    for days in (30, 90, 365):
        end = expires_at(NOW, days)
        assert end.time() == datetime.min.time() and end.tzinfo == UTC
        assert NOW + timedelta(days=days) <= end < NOW + timedelta(days=days + 1)
    midnight = datetime(2026, 3, 2, tzinfo=UTC)
    assert expires_at(midnight, 30) == midnight + timedelta(days=30)


def test_answers_have_length_caps() -> None:
    assert clean("where", "  Hotel Prueba  ") == "Hotel Prueba"
    assert clean("where", "x" * 201) == Refused("record.error.long", {"max": "200"})
    assert clean("what", "x" * 3500) == "x" * 3500
