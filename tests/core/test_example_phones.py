"""Examples of phone numbers follow the network's region: "55 1234 5678" only for Mexico."""

from __future__ import annotations

import phonenumbers
import pytest

from bot.core.phones import example_phone, normalize_phone

LATIN_AMERICA = "MX GT SV HN NI CR PA CU DO PR CO EC PE BO VE CL AR UY PY BR".split()


def test_mexico_reads_the_example_it_knows() -> None:
    assert example_phone("MX") == "55 1234 5678"
    assert example_phone(" mx ") == "55 1234 5678"


@pytest.mark.parametrize("region", LATIN_AMERICA)
def test_each_region_gets_a_number_of_its_own_that_it_reads(region: str) -> None:
    example = example_phone(region)
    if region != "MX":
        assert "1234 5678" not in example, example
    e164 = normalize_phone(example, region)
    assert e164 is not None, example
    number = phonenumbers.parse(e164)
    assert phonenumbers.region_code_for_number(number) == region


def test_an_unknown_region_falls_back_to_mexico() -> None:
    assert example_phone("ZZ") == "55 1234 5678"
