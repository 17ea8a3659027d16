"""The checklist before a date (issue 16): three short questions when she starts a check-in
step by step, if she turned it on; her organisation may write its own lines."""

from __future__ import annotations

from bot.core import members
from bot.core.context import Work
from bot.core.network_config import ConfigInvalid, checklist_in, config_from_json
from bot.core.records import Member

DEFAULT_LINES = ("checklist.exit", "checklist.cash", "checklist.battery")
"""The catalog's lines, drawn from the Mixco guide: an exit, little cash and her ID put
away, a charged phone."""


async def lines_for(work: Work, member: Member) -> tuple[str, ...] | None:
    """The lines of the first of her networks that wrote some, in her language; None: the
    catalog's (DEFAULT_LINES)."""
    for membership in await work.networks.memberships_of(member.id):
        network = await work.networks.get(membership.network_id)
        if network is None:
            continue
        try:
            lines = checklist_in(config_from_json(network.config), member.language)
        except ConfigInvalid:
            continue
        if lines:
            return lines
    return None


async def remember(work: Work, member: Member, on: bool) -> Member:
    """Her choice, kept sealed with her settings."""
    return await members.set_checklist(work, member, on)
