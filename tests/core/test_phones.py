"""Phone numbers and plates as members type them: the same number or plate, the same key."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.phones import display_phone, normalize_phone, normalize_plate

MEXICO_CITY = "+525512345678"
LIMA_LANDLINE = "+5112345678"
PERU_MOBILE = "+51987654321"
GUATEMALA = "+50251234567"


@pytest.mark.parametrize(
    "typed",
    [
        "55 1234 5678",
        "55-1234-5678",
        "5512345678",
        "(55) 1234-5678",
        "+52 55 1234 5678",
        "+52 (55) 1234 5678",
        "525512345678",
        "0052 55 1234 5678",
        " 55 1234 5678 ",
    ],
)
def test_a_mexican_number_written_today(typed: str) -> None:
    assert normalize_phone(typed, "MX") == MEXICO_CITY


@pytest.mark.parametrize(
    "typed",
    [
        "0445512345678",
        "044 55 1234 5678",
        "045 55 1234 5678",
        "01 55 1234 5678",
        "02 55 1234 5678",
        "+52 1 55 1234 5678",
        "+5215512345678",
        "5215512345678",
        "52 1 55 1234 5678",
        "0052 1 55 1234 5678",
    ],
)
def test_a_mexican_number_with_a_prefix_dropped_in_2019(typed: str) -> None:
    assert normalize_phone(typed, "MX") == MEXICO_CITY


def test_legacy_prefixes_are_only_dropped_where_they_were_written() -> None:
    assert normalize_phone("01 800 123 4567", "MX") == "+528001234567"
    # "1" went after the country code, never at the start of a national number
    assert normalize_phone("1 55 1234 5678", "MX") is None
    # 044 went before a national number, never after +52
    assert normalize_phone("+52 044 55 1234 5678", "MX") is None
    # Mexico's prefixes mean nothing to a number read as Peruvian
    assert normalize_phone("044 55 1234 5678", "PE") is None


def test_a_mexican_legacy_form_written_internationally_from_another_region() -> None:
    assert normalize_phone("+52 1 55 1234 5678", "PE") == MEXICO_CITY
    assert normalize_phone("+52 1 55 1234 5678", "GT") == MEXICO_CITY


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("01 234 5678", LIMA_LANDLINE),
        ("(01) 234-5678", LIMA_LANDLINE),
        ("+51 1 234 5678", LIMA_LANDLINE),
        ("987 654 321", PERU_MOBILE),
        ("987654321", PERU_MOBILE),
        ("+51 987654321", PERU_MOBILE),
        ("+51 987 654 321", PERU_MOBILE),
        ("51987654321", PERU_MOBILE),
    ],
)
def test_peruvian_numbers(typed: str, e164: str) -> None:
    assert normalize_phone(typed, "PE") == e164


@pytest.mark.parametrize(
    "typed", ["5123 4567", "5123-4567", "51234567", "+502 5123 4567", "+50251234567"]
)
def test_guatemalan_numbers(typed: str) -> None:
    assert normalize_phone(typed, "GT") == GUATEMALA


def test_the_region_is_read_in_any_case() -> None:
    assert normalize_phone("55 1234 5678", "mx") == MEXICO_CITY
    assert normalize_phone("5123 4567", " gt ") == GUATEMALA


def test_a_number_of_another_region_written_with_plus() -> None:
    assert normalize_phone("+51 987 654 321", "MX") == PERU_MOBILE
    assert normalize_phone("+502 5123 4567", "MX") == GUATEMALA
    assert normalize_phone("+52 55 1234 5678", "GT") == MEXICO_CITY
    # without the plus it is read as a number of her own region, where it is too short
    assert normalize_phone("5123 4567", "MX") is None


@pytest.mark.parametrize(
    "typed",
    [
        "٥٥ ١٢٣٤ ٥٦٧٨",  # Arabic-Indic digits
        "۵۵ ۱۲۳۴ ۵۶۷۸",  # Eastern Arabic-Indic (Persian) digits
        "５５ １２３４ ５６７８",  # full-width digits
        "＋５２ ５５ １２３４ ５６７８",  # full-width plus too
        "55\u00a01234\u00a05678",  # no-break spaces
    ],
)
def test_digits_of_other_scripts_and_widths(typed: str) -> None:
    assert normalize_phone(typed, "MX") == MEXICO_CITY


@pytest.mark.parametrize(
    "typed",
    [
        "55 1234 ABCD",  # a vanity number, which phonenumbers alone would accept
        "55 1234 5678 ext 12",
        "tel 55 1234 5678",
        "55 1234 5678 ana",
        "55 1234 567O",  # a letter O for a zero
        "55 1234 ５６７８ñ",
    ],
)
def test_letters_mixed_in_give_none(typed: str) -> None:
    assert normalize_phone(typed, "MX") is None


@pytest.mark.parametrize(
    "typed",
    ["", " ", "+", "-", "()", "1234", "55 1234", "55 1234 5678 9", "🍕", "+999 1234 5678", "0"],
)
def test_garbage_and_invalid_numbers_give_none(typed: str) -> None:
    assert normalize_phone(typed, "MX") is None


@pytest.mark.parametrize("region", ["", "XX", "Mexico", "001"])
def test_an_unknown_region_reads_only_numbers_written_with_plus(region: str) -> None:
    assert normalize_phone("55 1234 5678", region) is None
    assert normalize_phone("+52 55 1234 5678", region) == MEXICO_CITY


@pytest.mark.parametrize("text", ["5" * 10_000, "+52 " + "55 " * 3_000, "x" * 10_000])
def test_absurdly_long_input_gives_none_quickly(text: str) -> None:
    started = time.perf_counter()
    assert normalize_phone(text, "MX") is None
    assert time.perf_counter() - started < 0.05


@given(st.text(), st.sampled_from(["MX", "PE", "GT", "US", "mx", "", "XX"]))
def test_never_raises_and_returns_a_fixed_point(text: str, region: str) -> None:
    e164 = normalize_phone(text, region)
    if e164 is not None:
        assert e164.startswith("+")
        assert e164[1:].isascii() and e164[1:].isdigit()
        assert normalize_phone(e164, region) == e164


@given(
    st.text(alphabet="0123456789 +-()./٠١٢٣٤٥٦٧٨٩０１２３４５６７８９", max_size=30),
    st.sampled_from(["MX", "PE", "GT"]),
)
def test_digit_like_text_returns_a_fixed_point(text: str, region: str) -> None:
    e164 = normalize_phone(text, region)
    if e164 is not None:
        assert e164.startswith("+")
        assert normalize_phone(e164, region) == e164


@pytest.mark.parametrize(
    ("e164", "region", "shown"),
    [
        (MEXICO_CITY, "MX", "55 1234 5678"),
        (MEXICO_CITY, "mx", "55 1234 5678"),
        (MEXICO_CITY, "PE", "+52 55 1234 5678"),
        (PERU_MOBILE, "PE", "987 654 321"),
        (PERU_MOBILE, "MX", "+51 987 654 321"),
        (GUATEMALA, "GT", "5123 4567"),
        (GUATEMALA, "MX", "+502 5123 4567"),
    ],
)
def test_display_in_her_region_and_from_elsewhere(e164: str, region: str, shown: str) -> None:
    assert display_phone(e164, region) == shown


def test_display_of_something_that_is_not_a_number_shows_it_unchanged() -> None:
    assert display_phone("not a number", "MX") == "not a number"


def test_a_displayed_number_reads_back_as_the_same_number() -> None:
    for e164, region in ((MEXICO_CITY, "MX"), (PERU_MOBILE, "PE"), (GUATEMALA, "GT")):
        assert normalize_phone(display_phone(e164, region), region) == e164


@pytest.mark.parametrize(
    "typed",
    ["P-123ABC", "p 123 abc", "P123ABC", " p-123-abc ", "P·123·ABC", "Ｐ１２３ＡＢＣ", "P-١٢٣ABC"],
)
def test_a_plate_written_several_ways(typed: str) -> None:
    assert normalize_plate(typed) == "P123ABC"


def test_plate_accents_are_removed() -> None:
    assert normalize_plate("ñá-12é") == "NA12E"


@pytest.mark.parametrize(
    ("typed", "plate"),
    [
        ("A1B", "A1B"),
        ("a-b-1", "AB1"),
        ("ABCDE12345", "ABCDE12345"),
        ("ab", None),
        ("A-1", None),
        ("ABCDE123456", None),
        ("", None),
        ("---", None),
        ("🚗 🚗 🚗", None),
    ],
)
def test_a_plate_keeps_3_to_10_characters(typed: str, plate: str | None) -> None:
    assert normalize_plate(typed) == plate


def test_different_plates_stay_different() -> None:
    assert normalize_plate("P-123ABC") != normalize_plate("P-123ABD")
