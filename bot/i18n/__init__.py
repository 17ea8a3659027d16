"""Message catalogs (gettext .po via Babel), Spanish first, compiled in memory at start.

Message ids are keys that describe the moment (`checkin.confirmed`); every language,
Spanish included, translates them, so a missing translation is visible as its key.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Iterable
from datetime import date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.core import get_global
from babel.dates import format_date, format_datetime, format_time, get_timezone_location
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


def t(language: str, key: str, count: object = None, **params: object) -> str:
    """The text for `key` in `language`, with `{name}` parameters filled in. A counted
    message (`msgid_plural` in the catalog) takes the language's form for `count` (1 aviso,
    2 avisos), which also fills its `{count}`."""
    if count is not None:
        params["count"] = count
    if counted(language, key):
        legacy = [v for v in params.values() if str(v).isdigit()]
        if "count" not in params and legacy:  # queued before it was counted: n=, max=
            params["count"] = legacy[0]
        text = catalog(language).ngettext(key, key, _number(params.get("count")))
    else:
        text = catalog(language).gettext(key)
    return text.format(**params) if params else text


@cache
def counted(language: str, key: str) -> bool:
    """Whether `key` has plural forms in the catalog (a missing plural entry gives the
    empty `msgid_plural` back for n=2)."""
    return catalog(language).ngettext(key, "", 2) != ""


def _number(value: object) -> int:
    """The count a parameter stands for; an unreadable count takes the plural form."""
    try:
        return abs(int(str(value)))
    except ValueError:
        return 2


# Forms of address with variants of their own; the base text is feminine ("she").
ADDRESS_VARIANTS = ("he", "neutral")


def has(language: str, key: str) -> bool:
    """Whether the catalog of `language` (or Spanish, its fallback) translates `key`."""
    return counted(language, key) or catalog(language).gettext(key) != key


def wording(language: str, key: str, discreet: bool = False, address: str = "") -> str:
    """The key to use, in one place: its neutral variant (`key.discreet`) for a member who
    chose discreet wording, then the variant for the form of address of the person the text
    speaks to or about (`key.he`, `key.neutral`, or `key.discreet.he` ...), when the catalog
    has them; the base key (feminine) otherwise."""
    if discreet and has(language, key + ".discreet"):
        key += ".discreet"
    if address in ADDRESS_VARIANTS and has(language, f"{key}.{address}"):
        return f"{key}.{address}"
    return key


def worded(
    language: str, key: str, *, discreet: bool = False, address: str = "", **params: object
) -> str:
    """`t()` of the variant `wording()` picks."""
    return t(language, wording(language, key, discreet, address), **params)


def clock_time(moment: datetime, language: str, zone: str) -> str:
    """A time of day as she reads it on her phone, in her zone: 21:45 or 9:45 PM."""
    return format_time(moment, format="short", tzinfo=ZoneInfo(zone), locale=language)


def day_and_time(moment: datetime, language: str, zone: str) -> str:
    return format_datetime(moment, format="short", tzinfo=ZoneInfo(zone), locale=language)


def short_date(day: date, language: str) -> str:
    """24 nov / Nov 24."""
    return format_date(day, format="d MMM" if language != "en" else "MMM d", locale=language)


def zone_name(zone: str, language: str, among: Iterable[str] = (), flag: bool = True) -> str:
    """A time zone as she knows it, in her language, with its country's flag: 🇲🇽 Ciudad de
    México / 🇲🇽 Mexico City; 🇭🇳 Honduras for a zone whose country has no other zone
    `among` the ones shown (or in the time zone database, when none are given)."""
    territories = get_global("zone_territories")
    territory = territories.get(zone, "")
    others = [territories.get(z) for z in among] or list(territories.values())
    try:
        place = get_timezone_location(zone, locale=language, return_city=True)
        if territory and others.count(territory) == 1:
            place = Locale.parse(language).territories.get(territory, place)
    except (LookupError, ValueError):
        place = zone.rsplit("/", 1)[-1].replace("_", " ")
    if not flag or len(territory) != 2 or not territory.isalpha():
        return place
    emoji = "".join(chr(0x1F1E6 + ord(letter) - ord("A")) for letter in territory.upper())
    return f"{emoji} {place}"
