"""Message catalogs (gettext .po via Babel), Spanish first, compiled in memory at start.

Message ids are keys that describe the moment (`checkin.confirmed`); every language,
Spanish included, translates them, so a missing translation is visible as its key.
"""

from __future__ import annotations

import gettext
import io
from datetime import date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES = Path(__file__).parent / "locales"
DEFAULT_LANGUAGE = "es"
DOMAIN = "companera"


@cache
def catalog(language: str) -> gettext.NullTranslations:
    """The compiled catalog of a language; unknown languages fall back to Spanish."""
    path = LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.exists():
        return (
            catalog(DEFAULT_LANGUAGE)
            if language != DEFAULT_LANGUAGE
            else gettext.NullTranslations()
        )
    with path.open("rb") as po:
        messages = read_po(po, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, messages)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def languages() -> list[str]:
    return sorted(p.name for p in LOCALES.iterdir() if (p / "LC_MESSAGES").is_dir())


def t(language: str, key: str, **params: object) -> str:
    """The text for `key` in `language`, with `{name}` parameters filled in."""
    text = catalog(language).gettext(key)
    return text.format(**params) if params else text


def wording(language: str, key: str, discreet: bool) -> str:
    """The key to use: its neutral variant (`key.discreet`) for a member who chose discreet
    wording, when the catalog has one."""
    if discreet and catalog(language).gettext(key + ".discreet") != key + ".discreet":
        return key + ".discreet"
    return key


def clock_time(moment: datetime, language: str, zone: str) -> str:
    """A time of day as she reads it on her phone, in her zone: 21:45 or 9:45 PM."""
    return format_time(moment, format="short", tzinfo=ZoneInfo(zone), locale=language)


def day_and_time(moment: datetime, language: str, zone: str) -> str:
    return format_datetime(moment, format="short", tzinfo=ZoneInfo(zone), locale=language)


def short_date(day: date, language: str) -> str:
    """24 nov / Nov 24."""
    return format_date(day, format="d MMM" if language != "en" else "MMM d", locale=language)
