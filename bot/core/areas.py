"""The areas a member follows in each of her networks: by button, or by a pin (the nearest
area; the point is not kept). Followed areas are stored only as digests under the
network's key."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.context import Refused, Work
from bot.core.network_config import Area, config_from_json
from bot.core.network_config import nearest_area as nearest
from bot.core.networks import ACTIVE, Joined, joined
from bot.core.records import Member


@dataclass(frozen=True)
class AreaChoice:
    network: Joined
    areas: list[tuple[Area, bool]]  # each area and whether she follows it


async def area_choices(work: Work, member: Member) -> list[AreaChoice]:
    choices = []
    for network in await joined(work, member.id):
        following = await work.networks.areas_of(network.membership.id)
        areas = []
        for area in network.config.areas:
            digest = await work.networks.digest(network.network.id, "area", area.id)
            areas.append((area, digest in following))
        choices.append(AreaChoice(network, areas))
    return choices


async def toggle_area(work: Work, member: Member, network_id: str, area_id: str) -> bool | Refused:
    """Follow an area, or stop following it; True when she now follows it."""
    membership = await work.networks.membership(network_id, member.id)
    network = await work.networks.get(network_id)
    if membership is None or membership.status != ACTIVE or network is None:
        return Refused("network.error.not_member")
    if config_from_json(network.config).area(area_id) is None:
        return Refused("areas.error.unknown")
    digest = await work.networks.digest(network_id, "area", area_id)
    if digest in await work.networks.areas_of(membership.id):
        await work.networks.unfollow(membership.id, digest)
        return False
    await work.networks.follow(membership.id, digest)
    return True


async def follow_nearest(
    work: Work, member: Member, latitude: float, longitude: float
) -> list[tuple[str, Area]]:
    """A pin she sent: in each of her networks, she follows the nearest area (if any is
    near). Returns the network names and areas followed; the point is not kept."""
    followed = []
    for network in await joined(work, member.id):
        area = nearest(network.config, latitude, longitude)
        if area is None:
            continue
        digest = await work.networks.digest(network.network.id, "area", area.id)
        await work.networks.follow(network.membership.id, digest)
        followed.append((network.network.name, area))
    return followed
