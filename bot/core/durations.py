"""Durations as a worker types them, in Spanish or English: "1 hora", "una hora y media",
"media hora", "1h30", "1:30", "90" (a bare number is minutes), "45 minutos", "cuarenta y
cinco minutos", "3/4 de hora", "an hour and a half", "1,5 h".

Number words ("veintidós", "forty five") are read by text2num; this module only knows the
words around them: units, halves and quarters, "y"/"and", "de"/"of". A duration is read
from the start of her text; what follows it is the details, in her own words."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from fractions import Fraction
from functools import lru_cache

from text_to_num import text2num

MIN_DURATION = timedelta(minutes=1)
MAX_DURATION = timedelta(hours=24)
# Outside these, one tap confirms it: "5" may mean five hours, "13 h" a typo.
USUAL_SHORTEST = timedelta(minutes=10)
USUAL_LONGEST = timedelta(hours=12)

HOUR_UNITS = frozenset({"h", "hr", "hrs", "hs", "hora", "horas", "hour", "hours"})
MINUTE_UNITS = frozenset(
    {"m", "min", "mins", "minuto", "minutos", "minute", "minutes", "mn", "minutitos"}
)
ONE_HOUR = frozenset({"hora", "hour"})  # "hora y media": the hour alone is one hour
HALF = frozenset({"media", "medio", "half"})
QUARTER = frozenset({"cuarto", "quarter"})
QUARTERS = frozenset({"cuartos", "quarters"})
AND = frozenset({"y", "and", "con"})
OF = frozenset({"de", "of", "del"})
ARTICLES = frozenset({"a", "an"})  # English "an hour"; "un", "una", "one" are numbers
FRACTION_ARTICLES = frozenset({"a", "an", "un", "una"})  # "a half", "un cuarto"
FRACTION_SYMBOLS = {"½": Fraction(1, 2), "¼": Fraction(1, 4), "¾": Fraction(3, 4)}
NUMBER_LANGUAGES = ("es", "en")
MAX_TOKENS = 30  # a duration is a few words at the start of her text
SEPARATORS = ",;.:!?-–—"

_TOKEN = re.compile(
    r"(?P<time>[0-9]{1,2}:[0-9]{2})(?![0-9])"
    r"|(?P<frac>(?<![0-9])[1-3]/[24](?![0-9])|[½¼¾])"
    r"|(?P<num>[0-9]+(?:[.,][0-9]+)?)"
    r"|(?P<word>[^\W\d_]+(?:-[^\W\d_]+)*)"
    r"|(?P<punct>\S)"
)
_NUMBER_WORDS = re.compile(r"[a-zñáéíóúü]+(?:[ -][a-zñáéíóúü]+)*")
# Number words that text2num reads only as "veintidós", "veintitrés", "veintiuno".
_ACCENTS = {"veintidos": "veintidós", "veintitres": "veintitrés", "veintiun": "veintiuno"}
_ACCENTS["veintiún"] = "veintiuno"


@dataclass(frozen=True)
class DurationError:
    """Why a duration was refused: a catalog key the handler renders kindly."""

    reason: str  # "duration.error.format" | "duration.error.short" | "duration.error.long"


@dataclass(frozen=True)
class _Token:
    kind: str  # time | frac | num | word | punct
    text: str  # lower case, accents kept
    plain: str  # lower case, without accents
    start: int
    end: int


class _Malformed(Exception):
    """Her text starts like a duration that cannot be read ("1h99", "1:75")."""


def parse_duration(text: str) -> timedelta | DurationError:
    """A whole text that is one duration; errors are values with a catalog key."""
    duration, rest = split_duration(text)
    if duration is None or rest:
        return DurationError("duration.error.format")
    return duration


def split_duration(text: str) -> tuple[timedelta | DurationError | None, str]:
    """The duration at the start of her text, and the rest (her details, as she wrote
    them): "hora y media Hotel Sol, placa ABC" is 90 minutes and "Hotel Sol, placa ABC".
    No text gives (None, "")."""
    stripped = text.strip()
    if not stripped:
        return None, ""
    tokens = _tokens(stripped)
    try:
        found = _Reader(tokens).duration(0)
    except _Malformed:
        return DurationError("duration.error.format"), ""
    if found is None:
        return DurationError("duration.error.format"), ""
    minutes, end = found
    rest = stripped[tokens[end - 1].end :] if end else stripped
    return _bounded(minutes), rest.lstrip(" \t\n" + SEPARATORS).strip()


def looks_like_duration(text: str) -> bool:
    """Whether her text starts as a duration would (a number, a number word, a unit, a
    half): a failed duration then gets "I did not understand the time", anything else is
    read as if no duration had been asked."""
    tokens = _tokens(text)
    if not tokens:
        return False
    first = tokens[0]
    if first.kind != "word":
        return first.kind in ("num", "time", "frac")
    if first.plain in FRACTION_ARTICLES:  # "una hora", "a half": not "una cita"
        return len(tokens) > 1 and _is_unit_or_fraction(tokens[1])
    return _is_unit_or_fraction(first) or _Reader(tokens).number(0) is not None


def needs_confirmation(duration: timedelta) -> bool:
    """Under 10 minutes or over 12 hours: one tap confirms it."""
    return duration < USUAL_SHORTEST or duration > USUAL_LONGEST


def _is_unit_or_fraction(token: _Token) -> bool:
    return token.plain in HOUR_UNITS | MINUTE_UNITS | HALF | QUARTER


def _bounded(minutes: Fraction) -> timedelta | DurationError:
    whole = int(minutes + Fraction(1, 2))  # to the nearest minute
    if whole < MIN_DURATION.total_seconds() // 60:
        return DurationError("duration.error.short")
    if whole > MAX_DURATION.total_seconds() // 60:
        return DurationError("duration.error.long")
    return timedelta(minutes=whole)


def _tokens(text: str) -> list[_Token]:
    tokens = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "punct"
        lowered = match.group().lower()
        tokens.append(_Token(kind, lowered, _plain(lowered), match.start(), match.end()))
        if len(tokens) >= MAX_TOKENS:
            break
    return tokens


def _plain(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=4096)
def _number_words(phrase: str) -> int | None:
    """A number written in Spanish or English words ("cuarenta y cinco", "forty-five",
    "veintidos"), or None."""
    if not _NUMBER_WORDS.fullmatch(phrase):
        return None
    candidates = [phrase]
    accented = " ".join(_ACCENTS.get(word, word) for word in phrase.split(" "))
    if accented != phrase:
        candidates.append(accented)
    for candidate in candidates:
        for language in NUMBER_LANGUAGES:
            try:
                return int(text2num(candidate, language))
            except ValueError:
                continue
    return None


@dataclass(frozen=True)
class _Number:
    value: Fraction
    end: int
    kind: str  # digits | decimal | word | article
    decimals: int = 0  # digits after the decimal point


class _Reader:
    """A small recursive-descent reader over her first words. Each method returns what it
    read and the index after it, or None; `_Malformed` when the text is a broken duration."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens

    def at(self, index: int) -> _Token | None:
        return self.tokens[index] if index < len(self.tokens) else None

    def kind_at(self, index: int) -> str | None:
        token = self.at(index)
        return token.kind if token is not None else None

    def word_at(self, index: int, words: frozenset[str]) -> bool:
        token = self.at(index)
        return token is not None and token.kind == "word" and token.plain in words

    def glued(self, index: int) -> bool:
        """Whether token `index` touches the one before it ("1h30", "45mHotel")."""
        token, before = self.at(index), self.at(index - 1)
        return token is not None and before is not None and token.start == before.end

    # -- the whole duration -------------------------------------------------------------

    def duration(self, index: int) -> tuple[Fraction, int] | None:
        for reading in (self.hours, self.minutes, self.clock, self.bare):
            found = reading(index)
            if found is not None:
                self.check_end(found[1])
                return found
        return None

    def check_end(self, index: int) -> None:
        """A duration must not run into the next word: "45mHotel", "1h99", "1:30x"."""
        token = self.at(index)
        if token is not None and self.glued(index):
            if token.kind != "punct" or token.text not in SEPARATORS:
                raise _Malformed

    # -- numbers ------------------------------------------------------------------------

    def number(self, index: int) -> _Number | None:
        token = self.at(index)
        if token is None:
            return None
        if token.kind == "num":
            digits = token.text.replace(",", ".")
            decimals = len(digits.partition(".")[2])
            kind = "decimal" if decimals else "digits"
            return _Number(Fraction(digits), index + 1, kind, decimals)
        if token.kind != "word":
            return None
        if token.plain in ARTICLES:
            return _Number(Fraction(1), index + 1, "article")
        # The longest run of words that is one number: "cuarenta y cinco", "forty five".
        last = index
        while last + 1 < len(self.tokens) and last - index < 5:
            following = self.tokens[last + 1]
            if following.kind != "word" or self.glued(last + 1):
                break
            last += 1
        for end in range(last + 1, index, -1):
            words = [t.text for t in self.tokens[index:end]]
            if words[-1] in AND:
                continue
            value = _number_words(" ".join(words))
            if value is not None:
                return _Number(Fraction(value), end, "word")
        return None

    def fraction(self, index: int) -> tuple[Fraction, int] | None:
        """½, 3/4, "media", "a half", "un cuarto", "tres cuartos", "three quarters"."""
        token = self.at(index)
        if token is None:
            return None
        if token.kind == "frac":
            if token.text in FRACTION_SYMBOLS:
                return FRACTION_SYMBOLS[token.text], index + 1
            return Fraction(token.text), index + 1
        start = index + 1 if self.word_at(index, FRACTION_ARTICLES) else index
        if self.word_at(start, HALF):
            return Fraction(1, 2), start + 1
        if self.word_at(start, QUARTER):
            return Fraction(1, 4), start + 1
        count = self.number(index)
        if count is not None and count.kind in ("digits", "word") and 1 <= count.value <= 3:
            if self.word_at(count.end, QUARTERS):
                return count.value / 4, count.end + 1
        return None

    # -- the readings -------------------------------------------------------------------

    def hours(self, index: int) -> tuple[Fraction, int] | None:
        return (
            self.number_and_fraction_hours(index)
            or self.fraction_of_an_hour(index)
            or self.hours_and_minutes(index)
        )

    def number_and_fraction_hours(self, index: int) -> tuple[Fraction, int] | None:
        """Hours and a fraction: "una y media horas", "1 ½ h", "one and a half hours"."""
        count = self.number(index)
        if count is None or count.kind == "decimal":
            return None
        after = count.end
        joined = self.word_at(after, AND)
        found = self.fraction(after + 1 if joined else after)
        if found is None:
            return None
        part, end = found
        if not joined and self.kind_at(after) != "frac":
            return None  # "una media hora" is about half an hour, not one and a half
        if not self.word_at(end, HOUR_UNITS):
            return None
        return (count.value + part) * 60, end + 1

    def fraction_of_an_hour(self, index: int) -> tuple[Fraction, int] | None:
        """A fraction of an hour: "media hora", "3/4 de hora", "un cuarto de hora",
        "half an hour", "a quarter of an hour", "three quarters of an hour"."""
        found = self.fraction(index)
        if found is None:
            return None
        part, end = found
        if self.word_at(end, OF):
            end += 1
        if self.word_at(end, ARTICLES | {"una"}):
            end += 1
        if not self.word_at(end, HOUR_UNITS):
            return None
        return part * 60, end + 1

    def hours_and_minutes(self, index: int) -> tuple[Fraction, int] | None:
        """Hours, and maybe minutes: "1 hora", "1h", "an hour", "1,5 h", "hora y media",
        "2 horas y cuarto", "1h30", "1 hora 30", "2 h 15 min", "an hour and a half"."""
        count = self.number(index)
        if count is not None and self.word_at(count.end, HOUR_UNITS):
            value, unit = count.value, count.end
        elif self.word_at(index, ONE_HOUR):
            value, unit = Fraction(1), index
        else:
            return None
        if count is not None and count.kind == "decimal":
            return self.decimal_hours(count), unit + 1
        base = value * 60
        more = self.more(unit + 1)
        if more is None:
            return base, unit + 1
        return base + more[0], more[1]

    @staticmethod
    def decimal_hours(count: _Number) -> Fraction:
        """Hours with a decimal point: "1,5 h" is an hour and a half; "1.30 h", with two
        digits, is 1:30 as a clock would write it."""
        if count.decimals != 2:
            return count.value * 60
        return _Reader.hours_dot_minutes(count)

    @staticmethod
    def hours_dot_minutes(count: _Number) -> Fraction:
        hours, minutes = divmod(count.value * 100, 100)
        if minutes >= 60:
            raise _Malformed
        return Fraction(hours * 60 + minutes)

    def more(self, index: int) -> tuple[Fraction, int] | None:
        """What follows the hours: "y media", "y cuarto", "30", "y 15 minutos", "and a half"."""
        glued = self.glued(index)
        joined = self.word_at(index, AND)
        start = index + 1 if joined else index
        found = self.fraction(start)
        if found is not None and (joined or self.kind_at(start) == "frac"):
            return found[0] * 60, found[1]
        minutes = self.number(start)
        if minutes is None or minutes.kind not in ("digits", "word"):
            if glued and self.kind_at(index) == "num":
                raise _Malformed
            return None
        if self.word_at(minutes.end, MINUTE_UNITS):
            if minutes.value >= 60:
                raise _Malformed
            return minutes.value, minutes.end + 1
        if glued:  # "1h30", "1h5": the minutes
            if minutes.value >= 60:
                raise _Malformed
            return minutes.value, minutes.end
        literal = self.tokens[start].text
        usual = minutes.value >= 10 or (minutes.kind == "digits" and len(literal) == 2)
        if minutes.value >= 60 or not usual or self.word_at(minutes.end, OF):
            return None  # "1h 5 de mayo", "1h 2 hombres": details, not minutes
        return minutes.value, minutes.end

    def minutes(self, index: int) -> tuple[Fraction, int] | None:
        """Minutes: "45 minutos", "20 mins", "cuarenta y cinco minutos", "90min"."""
        count = self.number(index)
        if count is None or not self.word_at(count.end, MINUTE_UNITS):
            return None
        return count.value, count.end + 1

    def clock(self, index: int) -> tuple[Fraction, int] | None:
        """A clock's hours and minutes: "1:30" (hours and minutes), "1:30 h"."""
        token = self.at(index)
        if token is None or token.kind != "time":
            return None
        hours, minutes = (int(part) for part in token.text.split(":"))
        if minutes >= 60:
            raise _Malformed
        end = index + 1
        if self.word_at(end, HOUR_UNITS):
            end += 1
        return Fraction(hours * 60 + minutes), end

    def bare(self, index: int) -> tuple[Fraction, int] | None:
        """A number alone is minutes: "90", "cuarenta y cinco"; "1.30" is 1:30."""
        count = self.number(index)
        if count is None or count.kind == "article" or self.word_at(count.end, OF):
            return None  # "5 de mayo" is a street, not five minutes
        if count.kind == "word" and self.tokens[index].plain in {"un", "una", "uno", "one"}:
            return None  # "una cita": not one minute
        if count.kind == "decimal":
            if count.decimals != 2:
                raise _Malformed  # "1.5" alone: minutes or hours?
            return self.hours_dot_minutes(count), count.end
        return count.value, count.end
