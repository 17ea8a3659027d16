"""Help beyond the bot, for everyone: organisations of sex workers and their allies,
sexual-health services, legal aid, lines against violence, and a country's emergency numbers,
per country, as shipped in bot/core/resource_files/ and as an operator overrides or adds
them (RESOURCES_PATH). Every entry names the public source it was taken from and the day it
was checked; `stale` lists those checked more than a year ago (`companera resources check`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

import phonenumbers
import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError, field_validator

from bot.core import zones
from bot.core.network_config import ConfigInvalid, advice_in

SHIPPED = Path(__file__).parent / "resource_files"
KINDS = ("organisation", "health", "legal", "violence", "emergency")
Kind = Literal["organisation", "health", "legal", "violence", "emergency"]
NAME_LENGTH = 80
TEXT_LENGTH = 300
LONGEST_FILE = 200_000
_FROZEN = ConfigDict(frozen=True, extra="forbid")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_LANGUAGE = re.compile(r"[a-z]{2,3}|\*")
_URL = re.compile(r"https?://[^\s/$.?#][^\s]*")


def _text(longest: int) -> AfterValidator:
    def checked(value: str) -> str:
        text = " ".join(value.split())
        if not text:
            raise ValueError("must not be empty")
        if len(text) > longest:
            raise ValueError(f"must be at most {longest} characters")
        return text

    return AfterValidator(checked)


Name = Annotated[str, _text(NAME_LENGTH)]
Text = Annotated[str, _text(TEXT_LENGTH)]


class Entry(BaseModel):
    """One place to turn to: what it offers (per language), how to reach it, where that was
    read (`sources`, public URLs) and when (`checked`)."""

    model_config = _FROZEN

    id: str
    name: Name
    kind: Kind
    offers: dict[str, Text]
    contact: Text
    hours: Text | None = None
    sources: tuple[str, ...]
    checked: date

    @field_validator("id")
    @classmethod
    def _id_is_a_slug(cls, value: str) -> str:
        if len(value) > 40 or not _SLUG.fullmatch(value):
            raise ValueError("use lower-case letters, digits and hyphens (like 'linea-100')")
        return value

    @field_validator("offers", mode="before")
    @classmethod
    def _one_text_for_every_language(cls, value: Any) -> Any:
        return {"*": value} if isinstance(value, str) else value

    @field_validator("offers")
    @classmethod
    def _languages_are_codes(cls, value: dict[str, str]) -> dict[str, str]:
        if not value:
            raise ValueError("say what it offers")
        for language in value:
            if not _LANGUAGE.fullmatch(language):
                raise ValueError(f"'{language}' is not a language code: write es, en...")
        return value

    @field_validator("name", "contact", "hours", mode="before")
    @classmethod
    def _numbers_may_be_unquoted(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("sources", mode="before")
    @classmethod
    def _one_source_may_stand_alone(cls, value: Any) -> Any:
        return (value,) if isinstance(value, str) else value

    @field_validator("sources")
    @classmethod
    def _sources_are_urls(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("no entry without a source: give the public page it was read on")
        for url in value:
            if not _URL.fullmatch(url):
                raise ValueError(f"'{url}' is not a web address (https://...)")
        return value

    def offers_in(self, language: str) -> str:
        return advice_in(self.offers, language) or ""


class ResourceFile(BaseModel):
    """One file: a country's entries; an operator's file may also `omit` shipped ones."""

    model_config = _FROZEN

    country: str
    entries: tuple[Entry, ...] = ()
    omit: tuple[str, ...] = ()

    @field_validator("country")
    @classmethod
    def _a_country(cls, value: str) -> str:
        country = value.strip().upper()
        if country not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError("must be a two-letter country code (ISO 3166) such as MX, GT or PE")
        return country

    @field_validator("entries")
    @classmethod
    def _ids_once(cls, entries: tuple[Entry, ...]) -> tuple[Entry, ...]:
        seen: set[str] = set()
        for entry in entries:
            if entry.id in seen:
                raise ValueError(f"the id '{entry.id}' is used twice")
            seen.add(entry.id)
        return entries


@dataclass(frozen=True)
class Book:
    """Every country's entries, in the order they are shown."""

    countries: Mapping[str, tuple[Entry, ...]]

    def entries(self, country: str, kind: str | None = None) -> tuple[Entry, ...]:
        found = self.countries.get(country, ())
        return found if kind is None else tuple(e for e in found if e.kind == kind)

    def kinds(self, country: str) -> list[str]:
        """The kinds this country has entries of, in the order of KINDS."""
        have = {entry.kind for entry in self.entries(country)}
        return [kind for kind in KINDS if kind in have]


def parse_file(text: str, where: str = "the file") -> ResourceFile:
    """A resource file's YAML, checked in full; ConfigInvalid says what to fix and where."""
    if len(text) > LONGEST_FILE:
        raise ConfigInvalid(f"{where}: too long (over {LONGEST_FILE} characters)")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ConfigInvalid(f"{where}: not YAML ({' '.join(str(error).split())})") from error
    if not isinstance(data, dict):
        raise ConfigInvalid(f"{where}: must be keys and values (country: MX, entries: ...)")
    try:
        return ResourceFile.model_validate(data)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        path = ".".join(str(step) for step in first["loc"]) or "the file"
        message = str(first.get("ctx", {}).get("error") or first["msg"])
        raise ConfigInvalid(f"{where}: {path}: {message}") from error


def read_files(path: Path) -> list[ResourceFile]:
    """The resource files at `path`: one YAML file, or every *.yaml of a directory."""
    if not path.exists():
        raise ConfigInvalid(f"{path}: no such file or directory")
    paths = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    return [parse_file(p.read_text(encoding="utf-8"), str(p)) for p in paths]


def merged(shipped: Iterable[ResourceFile], overrides: Iterable[ResourceFile]) -> Book:
    """The shipped entries with an operator's: an entry of the same id replaces the shipped
    one where it stood, a new id comes after them, and `omit` leaves shipped ones out."""
    countries: dict[str, dict[str, Entry]] = {}
    for file in shipped:
        countries.setdefault(file.country, {}).update((e.id, e) for e in file.entries)
    for file in overrides:
        mine = countries.setdefault(file.country, {})
        for entry_id in file.omit:
            mine.pop(entry_id, None)
        mine.update((e.id, e) for e in file.entries)
    return Book({country: tuple(entries.values()) for country, entries in countries.items()})


@cache
def shipped_files() -> tuple[ResourceFile, ...]:
    return tuple(read_files(SHIPPED))


def load_book(override: Path | None = None) -> Book:
    """The shipped resources, with the operator's files at `override` (RESOURCES_PATH)."""
    return merged(shipped_files(), read_files(override) if override else ())


@cache
def shipped_book() -> Book:
    return load_book(None)


def stale(book: Book, today: date) -> list[tuple[str, Entry]]:
    """(country, entry) of every entry checked more than twelve months before `today`."""
    year_ago = _year_before(today)
    return [
        (country, entry)
        for country, entries in book.countries.items()
        for entry in entries
        if entry.checked < year_ago
    ]


def _year_before(today: date) -> date:
    try:
        return today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 1, day=28)


def country_of(book: Book, zone: str) -> str | None:
    """The country of her time zone, if the book has resources for it."""
    country = zones.COUNTRY.get(zone)
    return country if country in book.countries else None
