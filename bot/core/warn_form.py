"""The /warn form as pure rules: which question comes next, each answer checked (a phone
read with the network's region, a plate, an area by button, name or pin), and a field asked
again from the review. The form is a dict of strings kept in her sealed conversation."""

from __future__ import annotations

import secrets

from bot.core.context import Refused
from bot.core.network_config import NetworkConfig, match_area, nearest_area
from bot.core.networks import Joined
from bot.core.phones import example_phone, normalize_phone, normalize_plate

KINDS = (
    "violent",
    "robbery",
    "nonpayment",
    "condom",
    "police",
    "gang",
    "place",
    "other",
)
WHEN = ("today", "yesterday", "week", "earlier")
TEXT_LENGTH = (3, 1000)
MAX_NAME = 60

# The form, in order: the first field not yet answered is the next question.
FIELDS = ("network", "kind", "area", "when", "text", "extras")
EXTRAS = ("phone", "plate", "name")


def new_draft(networks: list[Joined]) -> dict[str, str]:
    """An empty form; with one network, the network is already chosen."""
    draft = {"draft": secrets.token_hex(4)}
    if len(networks) == 1:
        draft["network"] = networks[0].network.id
    return draft


def next_field(draft: dict[str, str]) -> str:
    """The question to ask next: a field of FIELDS, or "review" when all are answered."""
    for name in FIELDS:
        if not draft.get(name):
            return name
    return "review"


def answer(
    draft: dict[str, str], field: str, value: str, config: NetworkConfig | None
) -> dict[str, str] | Refused:
    """The form with one more answer, checked; a refusal keeps the form as it was."""
    value = value.strip()
    if field == "kind" and value not in KINDS:
        return Refused("warn.error.stale")
    if field == "when" and value not in WHEN:
        return Refused("warn.error.stale")
    if field == "area":  # a button's id, or a name or alias as she typed it
        area = (config.area(value) or match_area(config, value)) if config else None
        if area is None:
            return Refused("warn.error.area")
        value = area.id
    if field == "text":
        text = value[: TEXT_LENGTH[1] + 1]
        if len(text) < TEXT_LENGTH[0]:
            return Refused("warn.error.text_short")
        if len(text) > TEXT_LENGTH[1]:
            return Refused("warn.error.text_long", {"max": str(TEXT_LENGTH[1])})
    if field == "phone":
        region = config.region if config else "MX"
        phone = normalize_phone(value, region)
        if phone is None:
            return Refused("warn.error.phone", {"example": example_phone(region)})
        value = phone
    if field == "plate":
        plate = normalize_plate(value)
        if plate is None:
            return Refused("warn.error.plate")
        value = plate
    if field == "name":
        value = " ".join(value.split())
        if not value or len(value) > MAX_NAME:
            return Refused("warn.error.name", {"max": str(MAX_NAME)})
    return {**draft, field: value}


def answer_pin(
    draft: dict[str, str], config: NetworkConfig, latitude: float, longitude: float
) -> dict[str, str] | Refused:
    """A location pin for the area: the nearest area of her network; the point is not kept."""
    area = nearest_area(config, latitude, longitude)
    return {**draft, "area": area.id} if area else Refused("warn.error.area_pin")


def clear(draft: dict[str, str], field: str) -> dict[str, str]:
    """Ask a field again (from the review); a new network clears the area, which is its own."""
    changed = {k: v for k, v in draft.items() if k != field}
    if field == "network":
        changed.pop("area", None)
    if field in EXTRAS:
        changed.pop("extras", None)
    return changed
