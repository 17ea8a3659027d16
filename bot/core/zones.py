"""The time zones she can choose, grouped as the picker shows them: the first screen has
every zone of Mexico, Central America, the Caribbean, the Andes, the Southern Cone and
Brazil; "Otra zona" shows the rest. Names are not written here: the picker asks Babel for
the city in her language (Ciudad de México / Mexico City)."""

from __future__ import annotations

# (region, zones) in the order of the first screen.
FIRST_SCREEN: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "mexico",
        (
            "America/Mexico_City",
            "America/Cancun",
            "America/Chihuahua",
            "America/Ciudad_Juarez",
            "America/Mazatlan",
            "America/Hermosillo",
            "America/Tijuana",
        ),
    ),
    (
        "central_america",
        (
            "America/Guatemala",
            "America/El_Salvador",
            "America/Tegucigalpa",
            "America/Managua",
            "America/Costa_Rica",
            "America/Panama",
        ),
    ),
    ("caribbean", ("America/Havana", "America/Santo_Domingo", "America/Puerto_Rico")),
    (
        "andes",
        (
            "America/Bogota",
            "America/Guayaquil",
            "America/Lima",
            "America/La_Paz",
            "America/Caracas",
        ),
    ),
    (
        "southern_cone",
        (
            "America/Santiago",
            "America/Argentina/Buenos_Aires",
            "America/Montevideo",
            "America/Asuncion",
        ),
    ),
    ("brazil", ("America/Sao_Paulo", "America/Manaus", "America/Fortaleza", "America/Rio_Branco")),
)
# Behind "Otra zona": the rest of the Americas where members may travel, and Spain.
OTHER_SCREEN: tuple[str, ...] = (
    "America/Matamoros",
    "America/Monterrey",
    "America/Merida",
    "America/Bahia_Banderas",
    "America/Belize",
    "America/Cuiaba",
    "America/Belem",
    "America/Noronha",
    "America/Punta_Arenas",
    "Pacific/Easter",
    "Pacific/Galapagos",
    "America/Los_Angeles",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
    "Europe/Madrid",
)
# Buttons carry a zone's index here: the first nine keep the indices they had before the
# picker grew, so a button still in a chat sets the zone it shows.
ZONES: tuple[str, ...] = (
    "America/Mexico_City",
    "America/Lima",
    "America/Guatemala",
    "America/Bogota",
    "America/El_Salvador",
    "America/Tegucigalpa",
    "America/Santiago",
    "America/Argentina/Buenos_Aires",
    "Europe/Madrid",
)
ZONES += tuple(
    zone
    for zone in (*(z for _, zones in FIRST_SCREEN for z in zones), *OTHER_SCREEN)
    if zone not in ZONES
)

# The country of each zone above (ISO 3166), for the resources of her country in /help.
COUNTRY: dict[str, str] = {
    **dict.fromkeys(
        (
            "America/Mexico_City",
            "America/Cancun",
            "America/Chihuahua",
            "America/Ciudad_Juarez",
            "America/Mazatlan",
            "America/Hermosillo",
            "America/Tijuana",
            "America/Matamoros",
            "America/Monterrey",
            "America/Merida",
            "America/Bahia_Banderas",
        ),
        "MX",
    ),
    "America/Guatemala": "GT",
    "America/El_Salvador": "SV",
    "America/Tegucigalpa": "HN",
    "America/Managua": "NI",
    "America/Costa_Rica": "CR",
    "America/Panama": "PA",
    "America/Belize": "BZ",
    "America/Havana": "CU",
    "America/Santo_Domingo": "DO",
    "America/Puerto_Rico": "PR",
    "America/Bogota": "CO",
    "America/Guayaquil": "EC",
    "Pacific/Galapagos": "EC",
    "America/Lima": "PE",
    "America/La_Paz": "BO",
    "America/Caracas": "VE",
    "America/Santiago": "CL",
    "America/Punta_Arenas": "CL",
    "Pacific/Easter": "CL",
    "America/Argentina/Buenos_Aires": "AR",
    "America/Montevideo": "UY",
    "America/Asuncion": "PY",
    **dict.fromkeys(
        (
            "America/Sao_Paulo",
            "America/Manaus",
            "America/Fortaleza",
            "America/Rio_Branco",
            "America/Cuiaba",
            "America/Belem",
            "America/Noronha",
        ),
        "BR",
    ),
    **dict.fromkeys(
        ("America/Los_Angeles", "America/Denver", "America/Chicago", "America/New_York"), "US"
    ),
    "Europe/Madrid": "ES",
}
