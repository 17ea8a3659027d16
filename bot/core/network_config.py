"""A peer network's configuration as its operator writes it in YAML: areas, resources, rules.

Checked in full before the bot uses it; every mistake is told in one line naming the field.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

import phonenumbers
import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    StrictFloat,
    StrictInt,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from bot.core.safety import normalize_phrase

NAME_LENGTH = 60
TEXT_LENGTH = 300
SLUG_LENGTH = 32
MOST_AREAS = 50
MOST_RESOURCES = 100
RETENTION_DAYS = (1, 365)
SUPPORT_RETENTION_DAYS = (1, 365)
SUPPORT_REMINDER_HOURS = (1, 72)
VOUCHES = (0, 10)
PUBLISH_DELAY_MINUTES = (0, 120)
REVIEW_FIRST = (0, 20)
LARGEST_RADIUS_KM = 500.0
NEARBY_KM = 25.0  # how far an area with a center but no radius_km reaches
EARTH_RADIUS_KM = 6371.0088
LONGEST_FILE = 500_000  # characters; a real configuration is a few thousand
ADVICE_LENGTH = 500
CHECKLIST_LINES = (1, 5)
NUMBER_LENGTH = 40

_FROZEN = ConfigDict(frozen=True, extra="forbid")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_LANGUAGE = re.compile(r"[a-z]{2,3}")
_MESSAGES = {
    "missing": "required",
    "extra_forbidden": "unknown key (check its spelling and indentation)",
    "string_type": "must be text (write it between quotes)",
    "int_type": "must be a whole number",
    "float_type": "must be a number",
    "tuple_type": "must be a list",
    "model_type": "must be keys and values (name: ...)",
}


class ConfigInvalid(Exception):
    """One line, safe to print, naming the field: 'areas[2].center: latitude must be ...'."""


class _Problem(ValueError):
    """A problem in a field below the one being checked, such as areas[2].id for `areas`."""

    def __init__(self, where: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.where = where


def _text(longest: int) -> AfterValidator:
    def checked(value: str) -> str:
        text = value.strip()
        if not text:
            raise ValueError("must not be empty")
        if len(text) > longest:
            raise ValueError(f"must be at most {longest} characters")
        return text

    return AfterValidator(checked)


Name = Annotated[str, _text(NAME_LENGTH)]
Text = Annotated[str, _text(TEXT_LENGTH)]


class Area(BaseModel):
    """A part of town members report from, found by what they type or the location they share."""

    model_config = _FROZEN

    id: str
    name: Name
    aliases: tuple[Name, ...] = ()
    center: tuple[StrictFloat, StrictFloat] | None = None
    radius_km: StrictFloat | None = None

    @model_validator(mode="before")
    @classmethod
    def _id_from_name(cls, data: Any) -> Any:
        if not isinstance(data, dict) or data.get("id") is not None:
            return data
        name = data.get("name")
        if not isinstance(name, str) or not name.strip():
            raise _Problem(("name",), "required: every area needs a name")
        slug = area_slug(name)
        if not slug:
            raise _Problem(
                ("id",), "required: none can be made from the name (write one like 'zona-1')"
            )
        return {**data, "id": slug}

    @field_validator("id")
    @classmethod
    def _id_is_a_slug(cls, value: str) -> str:
        if len(value) > SLUG_LENGTH or not _SLUG.fullmatch(value):
            raise ValueError(
                f"use lower-case letters without accents, digits and hyphens, at most "
                f"{SLUG_LENGTH} characters (like 'centro-historico')"
            )
        return value

    @field_validator("center", mode="before")
    @classmethod
    def _center_is_a_pair(cls, value: Any) -> Any:
        if value is not None and (not isinstance(value, list | tuple) or len(value) != 2):
            raise ValueError("must be [latitude, longitude]")
        return value

    @field_validator("center")
    @classmethod
    def _center_on_earth(cls, value: tuple[float, float] | None) -> tuple[float, float] | None:
        if value is None:
            return None
        latitude, longitude = value
        if not (math.isfinite(latitude) and -90 <= latitude <= 90):
            raise ValueError("latitude must be between -90 and 90")
        if not (math.isfinite(longitude) and -180 <= longitude <= 180):
            raise ValueError("longitude must be between -180 and 180")
        return value

    @field_validator("radius_km")
    @classmethod
    def _radius_in_range(cls, value: float | None) -> float | None:
        if value is not None and not (math.isfinite(value) and 0 < value <= LARGEST_RADIUS_KM):
            raise ValueError(f"must be more than 0 and at most {LARGEST_RADIUS_KM:g} kilometres")
        return value


class Resource(BaseModel):
    """Where members can find help: a clinic, a lawyer, an organisation."""

    model_config = _FROZEN

    name: Name
    offers: Text
    contact: Text
    hours: Text | None = None
    kind: Literal["health", "legal", "organisation", "other"] = "other"

    @field_validator("hours", mode="before")
    @classmethod
    def _blank_hours_are_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value


class AlertAdvice(BaseModel):
    """What a worker's contacts read in an alert after the steps every alert gives: the
    organisation's own words (`advice`, per language) and, only where the organisation
    chose to give one, an emergency number. Used for the alerts of a network's members, or
    for the whole deployment (ALERT_ADVICE, bot/config.py)."""

    model_config = _FROZEN

    advice: dict[str, Annotated[str, _text(ADVICE_LENGTH)]] = {}
    emergency_number: str | None = None

    @field_validator("advice", mode="before")
    @classmethod
    def _one_text_for_every_language(cls, value: Any) -> Any:
        return {"*": value} if isinstance(value, str) else value

    @field_validator("advice")
    @classmethod
    def _languages_are_codes(cls, value: dict[str, str]) -> dict[str, str]:
        for language in value:
            if language != "*" and not _LANGUAGE.fullmatch(language):
                raise ValueError(
                    f"'{language}' is not a language code: write es, en... (two letters)"
                )
        return value

    @field_validator("emergency_number", mode="before")
    @classmethod
    def _digits_may_be_unquoted(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("emergency_number")
    @classmethod
    def _a_number_to_dial(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        number = " ".join(value.split())
        if len(number) > NUMBER_LENGTH or not any(c.isdigit() for c in number):
            raise ValueError(f"must be a number to dial, such as 911 (at most {NUMBER_LENGTH})")
        return number

    def text_in(self, language: str) -> str | None:
        return advice_in(self.advice, language)


class LegalSupport(BaseModel):
    """What a member's contacts read when the police detain or hold her (`/detenida`): who to
    call (`contact`), when (`hours`), and a short know-your-rights text the organisation
    wrote (`rights`, per language). Her networks' legal coordinators are told too."""

    model_config = _FROZEN

    contact: Text
    hours: Text | None = None
    rights: dict[str, Annotated[str, _text(ADVICE_LENGTH)]] = {}

    @field_validator("hours", mode="before")
    @classmethod
    def _blank_hours_are_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("rights", mode="before")
    @classmethod
    def _one_text_for_every_language(cls, value: Any) -> Any:
        return {"*": value} if isinstance(value, str) else value

    @field_validator("rights")
    @classmethod
    def _languages_are_codes(cls, value: dict[str, str]) -> dict[str, str]:
        return AlertAdvice._languages_are_codes(value)


class SupportSettings(BaseModel):
    """Accompaniment (/apoyo): how many days a closed case is kept before it is deleted, and
    after how many hours the support coordinators are reminded of a case nobody answered."""

    model_config = _FROZEN

    retention_days: StrictInt = 30
    remind_after_hours: StrictInt = 2

    @field_validator("retention_days")
    @classmethod
    def _retention_in_range(cls, value: int) -> int:
        return _within(value, SUPPORT_RETENTION_DAYS)

    @field_validator("remind_after_hours")
    @classmethod
    def _reminder_in_range(cls, value: int) -> int:
        return _within(value, SUPPORT_REMINDER_HOURS)


def checklist_in(config: NetworkConfig, language: str) -> tuple[str, ...] | None:
    """The organisation's checklist lines in `language` (else for every language, else the
    first written); None when it wrote none."""
    lines = config.checklist or {}
    for chosen in (lines.get(language), lines.get("*")):
        if chosen:
            return chosen
    return next((chosen for chosen in lines.values() if chosen), None)


def advice_in(advice: Mapping[str, str], language: str) -> str | None:
    """The advice in `language`; else the text written for every language ("*"), else the
    first text written (an organisation's phone number is worth more than no advice); None
    when none was written."""
    for text in (advice.get(language), advice.get("*")):
        if text:
            return text
    return next((text for text in advice.values() if text), None)


class NetworkConfig(BaseModel):
    """The whole configuration of one network."""

    model_config = _FROZEN

    region: str = "MX"
    retention_days: StrictInt = 90
    moderation: Literal["review", "open"] = "review"
    vouches: StrictInt = 0
    # A published warning reaches members after a random delay in this range (minutes), so
    # that its time does not point at the moment its author sent it.
    publish_delay_minutes: tuple[StrictInt, StrictInt] = (2, 20)
    # In an open network, a member's warnings wait for a coordinator until this many of hers
    # were published.
    review_first: StrictInt = 2
    areas: tuple[Area, ...]
    resources: tuple[Resource, ...] = ()
    alerts: AlertAdvice | None = None
    legal: LegalSupport | None = None
    support: SupportSettings = SupportSettings()
    # The checklist before a date, in the organisation's words: lines per language ("*": for
    # every language); without it, the catalog's three lines.
    checklist: dict[str, tuple[Text, ...]] | None = None

    @field_validator("checklist", mode="before")
    @classmethod
    def _one_list_for_every_language(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return {"*": value}
        if value is not None and not isinstance(value, dict):
            raise ValueError("must be a list of lines (- ...), or a list per language (es: ...)")
        return value

    @field_validator("checklist")
    @classmethod
    def _checklist_in_range(
        cls, value: dict[str, tuple[str, ...]] | None
    ) -> dict[str, tuple[str, ...]] | None:
        if value is None:
            return None
        AlertAdvice._languages_are_codes(dict.fromkeys(value, ""))
        fewest, most = CHECKLIST_LINES
        for language, lines in value.items():
            if not fewest <= len(lines) <= most:
                raise _Problem((language,), f"must be {fewest} to {most} lines")
        return value

    @field_validator("region")
    @classmethod
    def _known_region(cls, value: str) -> str:
        region = value.strip().upper()
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError("must be a two-letter country code (ISO 3166) such as MX, PE or GT")
        return region

    @field_validator("retention_days")
    @classmethod
    def _retention_in_range(cls, value: int) -> int:
        return _within(value, RETENTION_DAYS)

    @field_validator("vouches")
    @classmethod
    def _vouches_in_range(cls, value: int) -> int:
        return _within(value, VOUCHES)

    @field_validator("publish_delay_minutes", mode="before")
    @classmethod
    def _delay_is_a_pair(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return (value, value)
        if not isinstance(value, list | tuple) or len(value) != 2:
            raise ValueError("must be [fewest, most] minutes, such as [2, 20]")
        return value

    @field_validator("publish_delay_minutes")
    @classmethod
    def _delay_in_range(cls, value: tuple[int, int]) -> tuple[int, int]:
        fewest, most = (_within(minutes, PUBLISH_DELAY_MINUTES) for minutes in value)
        if fewest > most:
            raise ValueError("the first number must not be larger than the second")
        return fewest, most

    @field_validator("review_first")
    @classmethod
    def _review_first_in_range(cls, value: int) -> int:
        return _within(value, REVIEW_FIRST)

    @field_validator("areas")
    @classmethod
    def _areas_apart(cls, areas: tuple[Area, ...]) -> tuple[Area, ...]:
        if not areas:
            raise ValueError("list at least one area")
        if len(areas) > MOST_AREAS:
            raise ValueError(f"at most {MOST_AREAS} areas")
        named_by: dict[str, int] = {}
        for index, area in enumerate(areas):
            for where, word in _area_words(area):
                other = named_by.setdefault(normalize_phrase(word) or word, index)
                if other != index:
                    raise _Problem((index, *where), f"'{word}' already names areas[{other}]")
        return areas

    @field_validator("resources")
    @classmethod
    def _not_too_many_resources(cls, resources: tuple[Resource, ...]) -> tuple[Resource, ...]:
        if len(resources) > MOST_RESOURCES:
            raise ValueError(f"at most {MOST_RESOURCES} resources")
        return resources

    def area(self, area_id: str) -> Area | None:
        """The area with this id, if the configuration still has it."""
        return next((area for area in self.areas if area.id == area_id), None)


def parse_config(text: str) -> NetworkConfig:
    """The configuration in an operator's YAML; ConfigInvalid says what to fix and where."""
    if len(text) > LONGEST_FILE:
        raise ConfigInvalid(f"the file is too long (over {LONGEST_FILE} characters)")
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        raise ConfigInvalid(_yaml_problem(error)) from error
    except yaml.YAMLError as error:
        raise ConfigInvalid(_one_line(f"YAML: {error}")) from error
    except RecursionError as error:  # PyYAML reads nested lists and mappings recursively
        raise ConfigInvalid("YAML: lists or mappings nested too deeply") from error
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigInvalid("the file must be keys and values (region: MX, areas: ...)")
    try:
        return NetworkConfig.model_validate(data)
    except ValidationError as error:
        raise ConfigInvalid(_first_problem(error)) from error


def parse_advice(text: str) -> AlertAdvice:
    """The deployment's advice (ALERT_ADVICE): JSON or YAML of the same shape as a network's
    `alerts:` section; ConfigInvalid says what to fix."""
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as error:
        raise ConfigInvalid('must be JSON such as {"advice": {"es": "..."}}') from error
    if not isinstance(data, dict):
        raise ConfigInvalid('must be keys and values: {"advice": ..., "emergency_number": ...}')
    try:
        return AlertAdvice.model_validate(data)
    except ValidationError as error:
        raise ConfigInvalid(_first_problem(error)) from error


def config_to_json(config: NetworkConfig) -> str:
    """The configuration as JSON, to store sealed; config_from_json reads it back."""
    return config.model_dump_json()


def config_from_json(text: str) -> NetworkConfig:
    """A configuration stored by config_to_json, checked again (ConfigInvalid if now wrong)."""
    try:
        return NetworkConfig.model_validate_json(text)
    except ValidationError as error:
        raise ConfigInvalid(_first_problem(error)) from error


def nearest_area(config: NetworkConfig, latitude: float, longitude: float) -> Area | None:
    """The area a shared location falls in: within radius_km of its center (or NEARBY_KM when
    it has none), the nearest center winning; None when no area reaches it."""
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return None
    reached: list[tuple[float, Area]] = []
    for area in config.areas:
        if area.center is None:
            continue
        distance = distance_km((latitude, longitude), area.center)
        if distance <= (NEARBY_KM if area.radius_km is None else area.radius_km):
            reached.append((distance, area))
    return min(reached, key=lambda found: found[0])[1] if reached else None


def match_area(config: NetworkConfig, text: str) -> Area | None:
    """The area a member means by what she typed: its id, name or an alias, however written."""
    wanted = normalize_phrase(text)
    if not wanted:
        return None
    for area in config.areas:
        if any(normalize_phrase(word) == wanted for _, word in _area_words(area)):
            return area
    return None


def area_slug(name: str) -> str:
    """An id made from an area's name: 'Centro Histórico' -> 'centro-historico'; maybe empty."""
    words = re.findall(r"[a-z0-9]+", normalize_phrase(name))
    slug = words[0][:SLUG_LENGTH] if words else ""
    for word in words[1:]:
        if len(slug) + 1 + len(word) > SLUG_LENGTH:
            break
        slug = f"{slug}-{word}"
    return slug


def distance_km(here: tuple[float, float], there: tuple[float, float]) -> float:
    """The great-circle (haversine) distance between two (latitude, longitude) points."""
    lat1, lon1, lat2, lon2 = (math.radians(degrees) for degrees in (*here, *there))
    half = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(half)))


def _within(value: int, bounds: tuple[int, int]) -> int:
    lowest, highest = bounds
    if not lowest <= value <= highest:
        raise ValueError(f"must be between {lowest} and {highest}")
    return value


def _area_words(area: Area) -> list[tuple[tuple[str | int, ...], str]]:
    """Each way of naming the area, with the field it comes from."""
    words: list[tuple[tuple[str | int, ...], str]] = [(("name",), area.name), (("id",), area.id)]
    words.extend((("aliases", index), alias) for index, alias in enumerate(area.aliases))
    return words


def _yaml_problem(error: yaml.MarkedYAMLError) -> str:
    """Where the YAML stopped making sense and, when known, where the unclosed thing began."""
    problem = f"{_where(error.problem_mark)}: {error.problem or 'unreadable'}"
    if error.context and error.context_mark and error.context_mark != error.problem_mark:
        problem += f", {error.context} from {_where(error.context_mark)}"
    return _one_line(f"{problem} (check the indentation and the quotes)")


def _where(mark: yaml.Mark | None) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark else "YAML"


def _first_problem(error: ValidationError) -> str:
    problems = error.errors(include_url=False)
    first = problems[0]
    where = list(first["loc"])
    cause = first.get("ctx", {}).get("error")
    if isinstance(cause, _Problem):
        where.extend(cause.where)
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return _one_line(f"{_path(where)}: {_message(first, cause)}{more}")


def _message(problem: ErrorDetails, cause: object) -> str:
    if isinstance(cause, ValueError):
        return str(cause)
    return _MESSAGES.get(problem["type"], problem["msg"].replace("Input should be", "must be"))


def _path(where: list[int | str]) -> str:
    path = ""
    for step in where:
        path += f"[{step}]" if isinstance(step, int) else f".{step}" if path else str(step)
    return path or "the file"


def _one_line(text: str) -> str:
    return " ".join(text.split())


class _Loader(yaml.SafeLoader):
    """yaml.safe_load's loader, refusing a key written twice (the last would silently win)."""


def _mapping_without_repeats(loader: _Loader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[object] = set()
    for key_node, _ in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
            key = loader.construct_object(key_node)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key '{key}' is written twice", key_node.start_mark
                )
            seen.add(key)
    mapping: dict[Any, Any] = loader.construct_mapping(node)
    return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_repeats)
