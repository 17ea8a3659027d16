"""Rows of the threat model's retention table that no other test walks: an invitation's name
once it is used, a candidate nobody vouched for in time, and the ids of handled updates, each
kept until its time, then gone."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.core import contacts, members, networks
from bot.core.context import Core
from bot.core.housekeeping import sweep
from bot.core.network_config import parse_config
from bot.core.networks import Candidate, PassCreated, Welcome
from storage.models import Base, HandledUpdate, InviteRow, MembershipRow
from tests.support.clock import FakeClock
from tests.support.units import committed

VOUCHED = parse_config(
    "region: MX\nmoderation: open\nvouches: 2\nretention_days: 10\nareas:\n"
    "  - id: centro\n    name: Centro\n"
)
WEEK = timedelta(days=7)


async def count(core: Core, table: type[Base]) -> int:
    async with core.db.unit_of_work() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(table)) or 0)


async def test_an_invitations_name_goes_as_soon_as_it_is_used(core: Core) -> None:
    ana = await committed(core, members.identify, 3_000_011, "es")
    luz = await committed(core, members.identify, 3_000_012, "es")
    luz = await committed(core, members.set_alias, luz, "Luz")  # type: ignore[assignment]
    invite = await committed(core, contacts.create_invite, ana, "Lucecita Prueba")
    assert isinstance(invite, contacts.InviteCreated)
    assert await labels(core) == [True]
    view = await committed(core, contacts.open_invite, invite.token, luz)
    assert isinstance(view, contacts.InviteView)
    accepted = await committed(core, contacts.accept_invite, view.invite_id, luz)
    assert isinstance(accepted, contacts.Accepted)
    assert await labels(core) == [False]  # the row waits for the hourly purge, nameless


async def labels(core: Core) -> list[bool]:
    """Whether each invitation still holds its (sealed) name."""
    async with core.db.unit_of_work() as uow:
        rows = await uow.session.scalars(select(InviteRow.label_sealed))
        return [sealed is not None for sealed in rows]


async def test_a_candidate_nobody_vouched_for_goes_after_a_week(
    core: Core, clock: FakeClock
) -> None:
    created = await committed(core, networks.create_network, "Red Prueba", VOUCHED)
    assert isinstance(created, PassCreated)
    ana = await committed(core, members.identify, 3_000_001, "es")
    assert isinstance(await committed(core, networks.use_code, ana, created.code), Welcome)
    (network,) = await committed(core, networks.my_networks, ana)
    bea = await committed(core, members.identify, 3_000_002, "es")
    made = await committed(core, networks.new_member_pass, ana, network.network.id)
    assert isinstance(made, PassCreated)
    assert isinstance(await committed(core, networks.use_code, bea, made.code), Welcome)
    invited = await committed(core, networks.new_member_pass, bea, network.network.id)
    assert isinstance(invited, PassCreated)
    cris = await committed(core, members.identify, 3_000_003, "es")
    assert isinstance(await committed(core, networks.use_code, cris, invited.code), Candidate)
    assert await count(core, MembershipRow) == 3
    await clock.advance(seconds=WEEK.total_seconds() - 60)
    await sweep(core)
    assert await count(core, MembershipRow) == 3
    await clock.advance(seconds=61)
    await sweep(core)
    assert await count(core, MembershipRow) == 2  # the two members stay


async def test_handled_update_ids_go_after_a_day(core: Core, clock: FakeClock) -> None:
    async with core.unit() as work:
        assert await work.updates.begin(424_242, None, clock.now())
    await clock.advance(hours=23, minutes=59)
    await sweep(core)
    assert await count(core, HandledUpdate) == 1
    await clock.advance(minutes=1, seconds=1)
    await sweep(core)
    assert await count(core, HandledUpdate) == 0
