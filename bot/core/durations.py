"""Durations as a worker types them: 45m, 1h, 1h30, 1:30, 90 (minutes)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

MIN_DURATION = timedelta(minutes=1)
MAX_DURATION = timedelta(hours=24)

_PATTERNS = (
    re.compile(r"(?P<m>\d{1,4})(?:m|min|mins|minutos?|minutes?)?"),
    re.compile(r"(?P<h>\d{1,2})(?:h|hr|hrs|horas?|hours?)(?:(?P<m>[0-5]?\d)(?:m|min)?)?"),
    re.compile(r"(?P<h>\d{1,2})[:.](?P<m>[0-5]\d)"),
    re.compile(r"(?P<h>\d{1,2}(?:[.,]\d{1,2})?)(?:h|hr|hrs|horas?|hours?)"),
)


@dataclass(frozen=True)
class DurationError:
    """Why a duration was refused: a catalog key the handler renders kindly."""

    reason: str  # "duration.error.format" | "duration.error.short" | "duration.error.long"


def parse_duration(text: str) -> timedelta | DurationError:
    """Parse one duration word; errors are values with a catalog key, never exceptions."""
    word = text.strip().lower().replace(" ", "")
    for pattern in _PATTERNS:
        match = pattern.fullmatch(word)
        if match:
            return _bounded(_to_timedelta(match.groupdict()))
    return DurationError("duration.error.format")


def _to_timedelta(parts: dict[str, str | None]) -> timedelta:
    hours = float((parts.get("h") or "0").replace(",", "."))
    minutes = int(parts.get("m") or 0)
    return timedelta(hours=hours, minutes=minutes)


def _bounded(duration: timedelta) -> timedelta | DurationError:
    if duration < MIN_DURATION:
        return DurationError("duration.error.short")
    if duration > MAX_DURATION:
        return DurationError("duration.error.long")
    return duration


def split_duration(text: str) -> tuple[timedelta | DurationError | None, str]:
    """Split "45m Hotel Real" into a duration and the rest; no first word gives (None, "")."""
    stripped = text.strip()
    if not stripped:
        return None, ""
    first, _, rest = stripped.partition(" ")
    first, _, after_comma = first.partition(",")
    rest = (after_comma + " " + rest).strip() if after_comma else rest.strip()
    return parse_duration(first), rest
