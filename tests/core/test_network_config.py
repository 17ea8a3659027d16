"""A network's configuration as an operator writes it: read, refused with the field, matched."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.core.network_config import (
    Area,
    ConfigInvalid,
    NetworkConfig,
    Resource,
    area_slug,
    config_from_json,
    config_to_json,
    distance_km,
    match_area,
    nearest_area,
    parse_config,
)

EXAMPLE = Path(__file__).parents[2] / "deploy" / "network.example.yaml"
ZOCALO = (19.4326, -99.1332)
MINIMAL = "areas:\n  - name: Centro\n"


def configured(*areas: Area) -> NetworkConfig:
    return NetworkConfig(areas=areas)


def refusal(text: str) -> str:
    with pytest.raises(ConfigInvalid) as refused:
        parse_config(text)
    message = str(refused.value)
    assert "\n" not in message
    return message


def test_the_example_file_parses() -> None:
    config = parse_config(EXAMPLE.read_text(encoding="utf-8"))
    assert config.region == "MX"
    assert config.retention_days == 90
    assert config.moderation == "review"
    assert config.vouches == 2
    assert [area.id for area in config.areas] == [
        "centro",
        "la-merced",
        "buenavista",
        "sullivan",
        "calzada-de-tlalpan",
        "estado-de-mexico",
    ]
    assert config.legal is not None and "Abogadas" in config.legal.contact
    assert config.legal.rights["es"].startswith("Tiene derecho")
    centro = config.area("centro")
    assert centro is not None
    assert centro.name == "Centro"
    assert centro.aliases == ("Centro Histórico", "Zócalo", "Garibaldi")
    assert centro.center == ZOCALO
    assert centro.radius_km == 1.5
    assert [resource.kind for resource in config.resources] == [
        "health",
        "legal",
        "organisation",
        "other",
    ]
    assert config.resources[1].hours is None
    assert config.resources[0].contact.startswith("55 1234 5678")


def test_defaults_of_a_minimal_file() -> None:
    config = parse_config(MINIMAL)
    assert (config.region, config.retention_days, config.moderation, config.vouches) == (
        "MX",
        90,
        "review",
        0,
    )
    assert config.areas == (Area(id="centro", name="Centro"),)
    assert config.resources == ()


def test_every_field_written() -> None:
    config = parse_config(
        """
region: pe
retention_days: 30
moderation: open
vouches: 3
areas:
  - id: lima-centro
    name: "  Cercado de Lima  "
    aliases: [" Centro de Lima ", Cercado]
    center: [-12.0464, -77.0428]
    radius_km: 2
resources:
  - name: Colectiva Ejemplo
    offers: Acompañamiento
    contact: "+51 987 654 321"
    hours: "   "
    kind: organisation
"""
    )
    assert config.region == "PE"
    assert (config.retention_days, config.moderation, config.vouches) == (30, "open", 3)
    assert config.areas == (
        Area(
            id="lima-centro",
            name="Cercado de Lima",
            aliases=("Centro de Lima", "Cercado"),
            center=(-12.0464, -77.0428),
            radius_km=2.0,
        ),
    )
    assert config.resources == (
        Resource(
            name="Colectiva Ejemplo",
            offers="Acompañamiento",
            contact="+51 987 654 321",
            kind="organisation",
        ),
    )


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Centro", "centro"),
        ("Centro Histórico", "centro-historico"),
        ("  Calzada de Tlalpan ", "calzada-de-tlalpan"),
        ("Peñón de los Baños", "penon-de-los-banos"),
        ("Zona 10 (Ciudad de Guatemala)", "zona-10-ciudad-de-guatemala"),
        ("¡Merced!  — Circunvalación", "merced-circunvalacion"),
        ("Av. Insurgentes Sur / Álvaro Obregón", "av-insurgentes-sur-alvaro"),  # whole words
        ("Parangaricutirimícuaro de los Montes", "parangaricutirimicuaro-de-los"),
        ("Z" * 40, "z" * 32),
        ("🌙 Noche", "noche"),
        ("你好", ""),
    ],
)
def test_slug_made_from_a_name(name: str, slug: str) -> None:
    assert area_slug(name) == slug
    assert len(area_slug(name)) <= 32


def test_a_missing_id_is_the_slug_of_the_name() -> None:
    config = parse_config(
        "areas:\n  - name: Centro Histórico\n  - name: Zona Rosa\n    id: null\n  - id: z3\n"
        "    name: Tercera\n"
    )
    assert [area.id for area in config.areas] == ["centro-historico", "zona-rosa", "z3"]
    assert config.area("zona-rosa") == config.areas[1]
    assert config.area("zona rosa") is None
    assert config.area("nowhere") is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("areas: [\n  {name: A}\n  bad", "line 3, column 3: "),
        ("areas:\n  - name: A\n   - name: B\n", "line 3, column 4: "),
        ("region: MX\nareas: [{name: A}]\nregion: PE\n", "line 3, column 1: the key 'region'"),
        ("areas:\n  - name: A\n    name: B\n", "line 3, column 5: the key 'name' is written"),
        (
            'areas: [{name: "A}]',
            "line 1, column 20: found unexpected end of stream, while scanning a quoted scalar"
            " from line 1, column 16",
        ),
    ],
)
def test_yaml_mistakes_give_the_line(text: str, message: str) -> None:
    assert refusal(text).startswith(message)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "areas: required"),
        ("# nothing yet\n", "areas: required"),
        ("- Centro\n", "the file must be keys and values (region: MX, areas: ...)"),
        ("Centro\n", "the file must be keys and values (region: MX, areas: ...)"),
        ("areas: []", "areas: list at least one area"),
        ("areas: Centro", "areas: must be a list"),
        ("areas: [Centro]", "areas[0]: must be keys and values (name: ...)"),
        ("areas: [{name: A}]\nregoin: MX", "regoin: unknown key (check its spelling and"),
        ("areas: [{name: A, nmae: B}]", "areas[0].nmae: unknown key"),
        ("areas: [{name: A}]\nregion: XX", "region: must be a two-letter country code"),
        ("areas: [{name: A}]\nregion: Mexico", "region: must be a two-letter country code"),
        ("areas: [{name: A}]\nregion: 52", "region: must be text (write it between quotes)"),
        ("areas: [{name: A}]\nretention_days: 0", "retention_days: must be between 1 and 365"),
        ("areas: [{name: A}]\nretention_days: 366", "retention_days: must be between 1 and 365"),
        ("areas: [{name: A}]\nretention_days: 9.5", "retention_days: must be a whole number"),
        ("areas: [{name: A}]\nretention_days: '90'", "retention_days: must be a whole number"),
        ("areas: [{name: A}]\nvouches: 11", "vouches: must be between 0 and 10"),
        ("areas: [{name: A}]\nvouches: -1", "vouches: must be between 0 and 10"),
        ("areas: [{name: A}]\nvouches: yes", "vouches: must be a whole number"),
        ("areas: [{name: A}]\nmoderation: closed", "moderation: must be 'review' or 'open'"),
        ("areas: [{name: ''}]", "areas[0].name: required"),
        ("areas: [{}]", "areas[0].name: required"),
        ("areas: [{id: a, name: '  '}]", "areas[0].name: must not be empty"),
        ("areas: [{name: " + "x" * 61 + "}]", "areas[0].name: must be at most 60 characters"),
        ("areas: [{name: 你好}]", "areas[0].id: required: none can be made from the name"),
        ("areas: [{name: A, id: Centro}]", "areas[0].id: use lower-case letters"),
        ("areas: [{name: A, id: centro_1}]", "areas[0].id: use lower-case letters"),
        ("areas: [{name: A, id: " + "a" * 33 + "}]", "areas[0].id: use lower-case letters"),
        ("areas: [{name: A, id: 7}]", "areas[0].id: must be text"),
        ("areas: [{name: A, aliases: [B, '']}]", "areas[0].aliases[1]: must not be empty"),
        ("areas: [{name: A, aliases: B}]", "areas[0].aliases: must be a list"),
        ("areas: [{name: A}, {name: B, center: [91, 0]}]", "areas[1].center: latitude must be"),
        ("areas: [{name: A, center: [-90.5, 0]}]", "areas[0].center: latitude must be between"),
        ("areas: [{name: A, center: [0, 180.1]}]", "areas[0].center: longitude must be between"),
        ("areas: [{name: A, center: [.nan, 0]}]", "areas[0].center: latitude must be between"),
        ("areas: [{name: A, center: [0, .inf]}]", "areas[0].center: longitude must be between"),
        ("areas: [{name: A, center: [19.4]}]", "areas[0].center: must be [latitude, longitude]"),
        ("areas: [{name: A, center: [1, 2, 3]}]", "areas[0].center: must be [latitude,"),
        ("areas: [{name: A, center: '19.4, -99.1'}]", "areas[0].center: must be [latitude,"),
        ("areas: [{name: A, center: ['19.4', 0]}]", "areas[0].center[0]: must be a number"),
        ("areas: [{name: A, radius_km: 0}]", "areas[0].radius_km: must be more than 0"),
        ("areas: [{name: A, radius_km: 501}]", "areas[0].radius_km: must be more than 0 and at"),
        ("areas: [{name: A, radius_km: dos}]", "areas[0].radius_km: must be a number"),
        ("areas: [{name: Centro}, {name: centro}]", "areas[1].name: 'centro' already names"),
        ("areas: [{name: Centro}, {name: CENTRO, id: c2}]", "areas[1].name: 'CENTRO' already"),
        ("areas: [{name: A, id: x}, {name: B, id: x}]", "areas[1].id: 'x' already names areas[0]"),
        (
            "areas: [{name: Centro, aliases: [Zócalo]}, {name: B, aliases: [zocalo]}]",
            "areas[1].aliases[0]: 'zocalo' already names areas[0]",
        ),
        (
            "areas: [{name: Centro Histórico, id: ch}, {name: B, id: centro-historico}]",
            "areas[1].id: 'centro-historico' already names areas[0]",
        ),
        ("areas: [{name: A}]\nresources: {name: X}", "resources: must be a list"),
        (
            "areas: [{name: A}]\nresources: [{name: X, offers: Y}]",
            "resources[0].contact: required",
        ),
        (
            "areas: [{name: A}]\nresources: [{name: X, offers: Y, contact: 5512345678}]",
            "resources[0].contact: must be text (write it between quotes)",
        ),
        (
            "areas: [{name: A}]\nresources: [{name: X, offers: Y, contact: Z, hours: 9:00}]",
            "resources[0].hours: must be text (write it between quotes)",
        ),
        (
            "areas: [{name: A}]\nresources: [{name: X, offers: Y, contact: Z, kind: food}]",
            "resources[0].kind: must be 'health', 'legal', 'organisation' or 'other'",
        ),
        (
            "areas: [{name: A}]\nresources: [{name: X, offers: '" + "y" * 301 + "', contact: Z}]",
            "resources[0].offers: must be at most 300 characters",
        ),
        (
            "areas: [{name: A}]\nresources: [{name: X, offers: ' ', contact: Z}]",
            "resources[0].offers: must not be empty",
        ),
    ],
)
def test_each_mistake_names_its_field(text: str, message: str) -> None:
    assert refusal(text).startswith(message)


def test_too_many_areas_or_resources() -> None:
    fifty = "".join(f"  - name: Zona {number}\n" for number in range(50))
    assert len(parse_config("areas:\n" + fifty).areas) == 50
    assert refusal("areas:\n" + fifty + "  - name: Zona 50\n") == "areas: at most 50 areas"
    resources = "".join("  - {name: X, offers: Y, contact: Z}\n" for _ in range(101))
    assert refusal(MINIMAL + "resources:\n" + resources) == "resources: at most 100 resources"


def test_several_mistakes_are_counted_in_the_one_line() -> None:
    assert refusal("retention_days: 0\nvouches: 20\nareas: []") == (
        "retention_days: must be between 1 and 365 (and 2 more)"
    )


def test_a_huge_file_is_refused_before_reading() -> None:
    assert refusal("#" * 500_001).startswith("the file is too long")


def test_unreadable_yaml_is_refused_too() -> None:
    assert refusal("[" * 5_000) == "YAML: lists or mappings nested too deeply"
    assert refusal("areas: \x00").startswith("YAML: unacceptable character #x0000")
    assert refusal("x: !!python/object:os.system 1").startswith(
        "line 1, column 4: could not determine a constructor"
    )


def test_text_is_stripped_and_long_text_fits() -> None:
    offers = "y" * 300
    config = parse_config(
        f"areas: [{{name: '  {'x' * 60}  '}}]\n"
        f"resources: [{{name: ' X ', offers: '{offers}', contact: ' Z ', hours: ' 9 a 5 '}}]"
    )
    assert config.areas[0].name == "x" * 60
    assert config.resources[0] == Resource(name="X", offers=offers, contact="Z", hours="9 a 5")


def test_values_are_frozen() -> None:
    config = parse_config(MINIMAL)
    with pytest.raises(ValidationError):
        config.region = "PE"
    with pytest.raises(ValidationError):
        config.areas[0].name = "Otro"


def test_the_json_round_trip_keeps_everything() -> None:
    config = parse_config(EXAMPLE.read_text(encoding="utf-8"))
    stored = config_to_json(config)
    assert config_from_json(stored) == config
    assert config_to_json(config_from_json(stored)) == stored
    assert '"calzada-de-tlalpan"' in stored


def test_a_stored_configuration_that_no_longer_holds_is_refused() -> None:
    with pytest.raises(ConfigInvalid, match=r"^areas: list at least one area$"):
        config_from_json('{"region": "MX", "areas": []}')
    with pytest.raises(ConfigInvalid, match=r"^region: must be a two-letter"):
        config_from_json('{"region": "XX", "areas": [{"id": "a", "name": "A"}]}')
    with pytest.raises(ConfigInvalid):
        config_from_json("not json")


def test_distance_between_known_points() -> None:
    assert distance_km(ZOCALO, ZOCALO) == 0
    # the Zócalo to the Angel of Independence is about 4 km
    assert distance_km(ZOCALO, (19.4270, -99.1677)) == pytest.approx(3.67, abs=0.05)
    # one degree of latitude is about 111 km
    assert distance_km((0, 0), (1, 0)) == pytest.approx(111.2, abs=0.1)
    assert distance_km((0, 0), (0, 180)) == pytest.approx(20015, rel=0.001)


def test_nearest_area_within_a_radius() -> None:
    centro = Area(id="centro", name="Centro", center=ZOCALO, radius_km=1.0)
    config = configured(centro)
    assert nearest_area(config, 19.4326, -99.1332) == centro
    assert nearest_area(config, 19.4390, -99.1332) == centro  # about 0.7 km north
    assert nearest_area(config, 19.4426, -99.1332) is None  # about 1.1 km north


def test_an_area_without_radius_reaches_25_km() -> None:
    lejos = Area(id="lejos", name="Lejos", center=(0.0, 0.0))
    config = configured(lejos)
    assert nearest_area(config, 0.22, 0.0) == lejos  # about 24.5 km
    assert nearest_area(config, 0.23, 0.0) is None  # about 25.6 km


def test_the_nearest_center_wins_among_areas_that_reach() -> None:
    merced = Area(id="merced", name="Merced", center=(19.4253, -99.1248), radius_km=3.0)
    centro = Area(id="centro", name="Centro", center=ZOCALO, radius_km=3.0)
    wide = Area(id="ciudad", name="Ciudad", center=(19.40, -99.15))
    config = configured(merced, centro, wide)
    assert nearest_area(config, 19.4330, -99.1340) == centro
    assert nearest_area(config, 19.4250, -99.1250) == merced
    # outside both small areas, still within 25 km of the wide one
    assert nearest_area(config, 19.30, -99.20) == wide


def test_a_small_area_does_not_win_a_point_outside_its_radius() -> None:
    tiny = Area(id="tiny", name="Tiny", center=(19.4330, -99.1340), radius_km=0.01)
    wide = Area(id="wide", name="Wide", center=(19.45, -99.15))
    assert nearest_area(configured(tiny, wide), 19.4340, -99.1340) == wide


def test_no_area_with_a_center_gives_none() -> None:
    config = configured(Area(id="a", name="A"), Area(id="b", name="B", radius_km=100.0))
    assert nearest_area(config, *ZOCALO) is None


@pytest.mark.parametrize(
    ("latitude", "longitude"), [(float("nan"), 0.0), (0.0, float("inf")), (float("-inf"), 0.0)]
)
def test_a_location_that_is_not_a_place_gives_none(latitude: float, longitude: float) -> None:
    config = configured(Area(id="a", name="A", center=(0.0, 0.0), radius_km=500.0))
    assert nearest_area(config, latitude, longitude) is None


@pytest.mark.parametrize(
    ("typed", "area_id"),
    [
        ("centro", "centro"),
        ("Centro", "centro"),
        ("CENTRO", "centro"),
        ("  centro. ", "centro"),
        ("Centro Histórico", "centro"),
        ("centro historico", "centro"),
        ("CENTRO-HISTÓRICO", "centro"),
        ("zocalo", "centro"),
        ("¡Zócalo!", "centro"),
        ("calzada de tlalpan", "calzada-de-tlalpan"),
        ("calzada-de-tlalpan", "calzada-de-tlalpan"),
        ("Tlalpan", "calzada-de-tlalpan"),
        ("sullivan", "sullivan"),
        ("San Rafael", "sullivan"),
        ("jardin del arte", "sullivan"),
        ("EDOMEX", "estado-de-mexico"),
    ],
)
def test_match_area_by_id_name_or_alias(typed: str, area_id: str) -> None:
    config = parse_config(EXAMPLE.read_text(encoding="utf-8"))
    found = match_area(config, typed)
    assert found is not None
    assert found.id == area_id


@pytest.mark.parametrize(
    "typed", ["", "   ", "?!", "centr", "centro historico norte", "Guadalajara", "x" * 10_000]
)
def test_match_area_finds_nothing(typed: str) -> None:
    config = parse_config(EXAMPLE.read_text(encoding="utf-8"))
    assert match_area(config, typed) is None


def test_a_legal_section_is_read_with_one_text_for_every_language() -> None:
    config = parse_config(MINIMAL + 'legal:\n  contact: "Abogadas Prueba"\n  rights: Sin firmar\n')
    assert config.legal is not None
    assert config.legal.contact == "Abogadas Prueba" and config.legal.hours is None
    assert config.legal.rights == {"*": "Sin firmar"}
    assert config_from_json(config_to_json(config)) == config
    assert parse_config(MINIMAL).legal is None


@pytest.mark.parametrize(
    ("section", "problem"),
    [
        ("legal:\n  hours: noche\n", "legal.contact: required"),
        ("legal:\n  contact: ''\n", "legal.contact: must not be empty"),
        ("legal:\n  contact: x\n  phone: 1\n", "legal.phone: unknown key"),
        ("legal:\n  contact: x\n  rights:\n    espanol: y\n", "'espanol' is not a language"),
        ("legal: Abogadas\n", "legal: must be keys and values"),
        (f"legal:\n  contact: x\n  rights: {'a' * 501}\n", "at most 500 characters"),
    ],
)
def test_a_wrong_legal_section_names_the_field(section: str, problem: str) -> None:
    assert problem in refusal(MINIMAL + section)
