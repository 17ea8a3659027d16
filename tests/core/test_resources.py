"""The shipped resource files and an operator's: every entry validated, with a public source
and the day it was checked; what an operator replaces, adds or leaves out; which entries
are more than a year old; the country of her zone."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.config import Settings, SettingsError, load_settings
from bot.core import zones
from bot.core.network_config import ConfigInvalid
from bot.core.resources import (
    KINDS,
    SHIPPED,
    country_of,
    load_book,
    parse_file,
    shipped_book,
    stale,
)
from tests.telegram.test_discreet_words import BANNED_WORD

CHECKED = date(2026, 12, 8)

OVERRIDE = """
country: GT
omit: [cruz-roja]
entries:
  - id: otrans-reinas-de-la-noche
    name: OTRANS Reinas de la Noche
    kind: organisation
    offers: Clínica y acompañamiento (texto de prueba)
    contact: 5555 0000 (número de prueba)
    sources: https://example.org/otrans
    checked: 2026-12-01
  - id: casa-prueba
    name: Casa Prueba
    kind: legal
    offers: {es: Abogadas de prueba, en: Test lawyers}
    contact: 5555 0001
    sources: [https://example.org/casa-prueba]
    checked: 2020-01-15
"""


@pytest.mark.parametrize("path", sorted(SHIPPED.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_entry_has_a_source_and_a_checked_date(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    parsed = parse_file(text, path.name)  # the pydantic models validate it in full
    raw = yaml.safe_load(text)
    assert len(raw["entries"]) == len(parsed.entries) > 0
    for written, entry in zip(raw["entries"], parsed.entries, strict=True):
        assert written.get("sources"), entry.id
        assert all(url.startswith(("https://", "http://")) for url in entry.sources), entry.id
        assert isinstance(written.get("checked"), date), entry.id
        assert entry.checked <= CHECKED, entry.id
        assert entry.offers_in("es") and entry.offers_in("en"), entry.id
    assert any(entry.kind == "emergency" for entry in parsed.entries)  # with their sources


def test_mexico_guatemala_and_peru_are_shipped() -> None:
    book = shipped_book()
    assert {"MX", "GT", "PE"} <= set(book.countries)
    for country in ("MX", "GT", "PE"):
        assert {"organisation", "legal", "violence", "emergency"} <= set(book.kinds(country))
    assert "otrans-reinas-de-la-noche" in [e.id for e in book.entries("GT")]
    assert "mujeres-del-sur" in [e.id for e in book.entries("PE")]


def test_only_the_emergency_numbers_use_words_discreet_mode_hides() -> None:
    """Discreet mode offers every kind but the emergency numbers: the rest must read safely."""
    for country, entries in shipped_book().countries.items():
        for entry in entries:
            if entry.kind == "emergency":
                continue
            for language in ("es", "en"):
                text = f"{entry.name} {entry.offers_in(language)} {entry.contact} {entry.hours}"
                assert not BANNED_WORD.search(text), (country, entry.id, language)


def test_an_entry_without_a_source_is_refused() -> None:
    bad = OVERRIDE.replace("    sources: https://example.org/otrans\n", "")
    with pytest.raises(ConfigInvalid, match=r"entries\.0\.sources"):
        parse_file(bad)
    with pytest.raises(ConfigInvalid, match="not a web address"):
        parse_file(OVERRIDE.replace("https://example.org/otrans", "otrans.example"))
    with pytest.raises(ConfigInvalid, match="checked"):
        parse_file(OVERRIDE.replace("checked: 2026-12-01", "checked: pronto"))
    with pytest.raises(ConfigInvalid, match="kind"):
        parse_file(OVERRIDE.replace("kind: legal", "kind: police"))


def test_an_operator_replaces_adds_and_omits_entries(tmp_path: Path) -> None:
    (tmp_path / "gt.yaml").write_text(OVERRIDE, encoding="utf-8")
    book = load_book(tmp_path)
    ids = [entry.id for entry in book.entries("GT")]
    assert ids[0] == "otrans-reinas-de-la-noche"  # replaced where it stood
    assert book.entries("GT")[0].contact == "5555 0000 (número de prueba)"
    assert ids[-1] == "casa-prueba"  # added after the shipped ones
    assert "cruz-roja" not in ids and "pnc" in ids
    assert book.entries("MX") == shipped_book().entries("MX")  # other countries untouched


def test_the_setting_reads_a_file_or_a_directory_and_refuses_a_bad_one(tmp_path: Path) -> None:
    path = tmp_path / "gt.yaml"
    path.write_text(OVERRIDE, encoding="utf-8")
    for where in (path, tmp_path):
        settings = Settings(RESOURCES_PATH=where)  # type: ignore[call-arg]
        assert "casa-prueba" in [e.id for e in settings.resources.entries("GT")]
    assert Settings().resources == shipped_book()  # type: ignore[call-arg]
    path.write_text(OVERRIDE.replace("kind: legal", "kind: lawyers"), encoding="utf-8")
    with pytest.raises(SettingsError, match="RESOURCES_PATH") as refused:
        load_settings(RESOURCES_PATH=path)
    assert len(str(refused.value).splitlines()) == 1


def test_entries_checked_over_a_year_ago_are_stale(tmp_path: Path) -> None:
    (tmp_path / "gt.yaml").write_text(OVERRIDE, encoding="utf-8")
    book = load_book(tmp_path)
    old = stale(book, date(2027, 1, 1))
    assert [(country, entry.id) for country, entry in old] == [("GT", "casa-prueba")]
    assert "casa-prueba" in [e.id for _, e in stale(book, date(2027, 12, 9))]
    assert len(stale(book, date(2027, 12, 9))) > 1  # the shipped ones are due by then
    assert stale(shipped_book(), date(2027, 12, 8)) == []  # twelve months to the day
    assert stale(book, date(2024, 2, 29))[0][1].id == "casa-prueba"  # a leap day works


def test_her_zone_names_her_country() -> None:
    book = shipped_book()
    assert country_of(book, "America/Guatemala") == "GT"
    assert country_of(book, "America/Tijuana") == "MX"
    assert country_of(book, "America/Lima") == "PE"
    assert country_of(book, "America/Bogota") is None  # no resources shipped for Colombia
    assert all(zone in zones.COUNTRY for zone in zones.ZONES)
    assert set(KINDS) >= {kind for c in book.countries for kind in book.kinds(c)}
