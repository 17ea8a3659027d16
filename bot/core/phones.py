"""Phone numbers and car plates as members type them, turned into keys that compare equal.

Phone numbers are read with `phonenumbers`, plus the legacy prefixes people still write.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import phonenumbers
from phonenumbers import CountryCodeSource, NumberParseException, PhoneNumber, PhoneNumberFormat

LONGEST_PHONE_TEXT = 64  # far more than any number written with spaces and punctuation
PLATE_LENGTH = (3, 10)


@dataclass(frozen=True)
class LegacyPrefixes:
    """Dialling prefixes a region no longer uses, which `phonenumbers` rightly rejects."""

    national: tuple[str, ...] = ()  # before a number written without its country code
    after_country_code: tuple[str, ...] = ()  # between the country code and the number


# Mexico went to one plan of 10-digit numbers in August 2019, dropping 044 and 045 (before a
# mobile), 01 and 02 (long distance) and the "1" after +52 for mobiles; people still write them.
# A region whose numbers `phonenumbers` reads as people write them needs no entry.
LEGACY_PREFIXES: Mapping[str, LegacyPrefixes] = MappingProxyType(
    {"MX": LegacyPrefixes(national=("044", "045", "01", "02"), after_country_code=("1",))}
)
_NO_PREFIXES = LegacyPrefixes()


def normalize_phone(text: str, region: str) -> str | None:
    """E.164 ("+525512345678") of a phone number as a person types it, read with the network's
    default region (ISO 3166 alpha-2: "MX", "PE", "GT"...); None when it is not a valid number.

    Digits of any script count; a letter anywhere gives None (no "1-800-FLOWERS", no "ext").
    """
    region = region.strip().upper()
    if len(text) > LONGEST_PHONE_TEXT or any(char.isalpha() for char in text):
        return None
    number = _parse(text, region)
    if number is None:
        return None
    if phonenumbers.is_valid_number(number):
        return _e164(number)
    for retry in _without_legacy_prefix(number, region):
        if phonenumbers.is_valid_number(retry):
            return _e164(retry)
    return None


# What Mexicans see in examples; elsewhere, the example number `phonenumbers` keeps for the
# region (numbers set aside for examples, not anybody's phone).
EXAMPLE_PHONES: Mapping[str, str] = MappingProxyType({"MX": "55 1234 5678"})


def example_phone(region: str) -> str:
    """A made-up mobile number as people of `region` write it: "55 1234 5678" in Mexico,
    "5123 4567" in Guatemala, "912 345 678" in Peru."""
    region = region.strip().upper()
    if region in EXAMPLE_PHONES:
        return EXAMPLE_PHONES[region]
    number = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    if number is None:
        return EXAMPLE_PHONES["MX"]
    return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)


def display_phone(e164: str, region: str) -> str:
    """How a member of that region reads it: national format for numbers of the region,
    international otherwise; the text unchanged if it is not a number."""
    region = region.strip().upper()
    number = _parse(e164, region)
    if number is None:
        return e164
    own = number.country_code == phonenumbers.country_code_for_region(region)
    style = PhoneNumberFormat.NATIONAL if own else PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)


def normalize_plate(text: str) -> str | None:
    """A car plate as a lookup key: letters and digits only, upper-case, accents removed;
    None unless 3 to 10 characters remain."""
    kept = []
    for char in unicodedata.normalize("NFKD", text):
        if char.isdecimal():
            kept.append(str(unicodedata.decimal(char)))
        elif char.isalnum():
            kept.append(char.upper())
    plate = "".join(kept)
    shortest, longest = PLATE_LENGTH
    return plate if shortest <= len(plate) <= longest else None


def _parse(text: str, region: str) -> PhoneNumber | None:
    try:
        return phonenumbers.parse(text, region, keep_raw_input=True)
    except NumberParseException:
        return None


def _e164(number: PhoneNumber) -> str:
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def _without_legacy_prefix(number: PhoneNumber, region: str) -> Iterator[PhoneNumber]:
    """The number again without each legacy prefix it starts with, in the order of the table."""
    country_code = number.country_code
    if country_code is None:
        return
    if number.country_code_source == CountryCodeSource.FROM_DEFAULT_COUNTRY:
        prefixes = LEGACY_PREFIXES.get(region, _NO_PREFIXES).national
    else:
        home = phonenumbers.region_code_for_country_code(country_code)
        prefixes = LEGACY_PREFIXES.get(home, _NO_PREFIXES).after_country_code
    digits = phonenumbers.national_significant_number(number)
    for prefix in prefixes:
        if digits.startswith(prefix):
            retry = _parse(f"+{country_code}{digits[len(prefix) :]}", region)
            if retry is not None:
                yield retry
