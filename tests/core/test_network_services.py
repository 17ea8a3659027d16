"""Networks and warnings through a real unit of work: who receives a warning, who may
check, and what expiry deletes."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.core import areas, members, networks, warnings
from bot.core.context import Core, Refused
from bot.core.network_config import parse_config
from bot.core.networks import PassCreated, Welcome
from bot.core.records import Member
from tests.core.test_checkin_services import outbox_kinds
from tests.support.clock import FakeClock
from tests.support.units import committed

CONFIG = parse_config(
    "region: MX\nmoderation: open\nretention_days: 10\nareas:\n"
    "  - id: centro\n    name: Centro\n  - id: norte\n    name: Norte\n"
)


async def network_of(core: Core, count: int) -> tuple[str, list[Member]]:
    """A network with `count` members; the first coordinates it."""
    created = await committed(core, networks.create_network, "Red Prueba", CONFIG)
    assert isinstance(created, PassCreated)
    people = []
    code = created.code
    for i in range(count):
        person = await committed(core, members.identify, 2_000_000 + i, "es")
        assert isinstance(await committed(core, networks.use_code, person, code), Welcome)
        people.append(person)
        mine = await committed(core, networks.my_networks, people[0])
        made = await committed(core, networks.new_member_pass, people[0], mine[0].network.id)
        assert isinstance(made, PassCreated)
        code = made.code
    return mine[0].network.id, people


def draft(network_id: str, area: str = "centro", phone: str = "") -> dict[str, str]:
    values = {
        "draft": "d",
        "network": network_id,
        "kind": "violent",
        "area": area,
        "when": "today",
        "text": "Texto de prueba",
        "extras": "done",
    }
    return {**values, "phone": phone} if phone else values


async def test_a_warning_goes_to_the_areas_followers_but_not_its_reporter(core: Core) -> None:
    network_id, (ana, bea, cris, dora) = await network_of(core, 4)
    for person, area in ((ana, "centro"), (bea, "centro"), (cris, "centro"), (dora, "norte")):
        assert await committed(core, areas.toggle_area, person, network_id, area) is True
    sent = await committed(core, warnings.submit, bea, draft(network_id))
    assert sent == warnings.Submitted(published=True, recipients=2)
    received = {who for who, kind in await outbox_kinds(core) if kind == "warning"}
    assert received == {ana.id, cris.id}


async def test_only_members_check_and_only_so_often(core: Core, clock: FakeClock) -> None:
    network_id, (ana, bea) = await network_of(core, 2)
    await committed(core, warnings.submit, ana, draft(network_id, phone="+525512345678"))
    stranger = await committed(core, members.identify, 3_000_000, "es")
    assert await committed(core, warnings.check_phone, stranger, "55 1234 5678") == Refused(
        "check.error.not_member"
    )
    core.limits = replace(core.limits, checks_per_hour=2)
    assert len(await committed(core, warnings.check_phone, bea, "5512345678")) == 1  # type: ignore[arg-type]
    assert await committed(core, warnings.check_phone, bea, "tonterías") == Refused(
        "check.error.phone", {"example": "55 1234 5678"}
    )
    assert await committed(core, warnings.check_phone, bea, "55 8765 4321") == []
    limited = await committed(core, warnings.check_phone, bea, "55 1234 5678")
    assert limited == Refused("check.error.limit", {"count": "2"})
    await clock.advance(hours=1, seconds=1)
    assert len(await committed(core, warnings.check_phone, bea, "5512345678")) == 1  # type: ignore[arg-type]


async def test_expiry_deletes_warnings_and_passes(core: Core, clock: FakeClock) -> None:
    network_id, (ana, _bea) = await network_of(core, 2)
    await committed(core, warnings.submit, ana, draft(network_id, phone="+525512345678"))
    await clock.advance(days=9)
    assert await committed(core, warnings.purge, clock.now()) == 0
    await clock.advance(days=1, seconds=1)
    assert await committed(core, warnings.purge, clock.now()) == 1
    assert await committed(core, networks.purge, clock.now()) >= 2  # used passes, and the last one
    assert await committed(core, networks.purge, clock.now() + timedelta(days=8)) == 0


async def test_a_kept_warning_answers_its_flags(core: Core) -> None:
    network_id, (ana, bea, cris) = await network_of(core, 3)
    await networks_follow(core, ana, network_id)
    await committed(core, warnings.submit, ana, draft(network_id))  # a coordinator: published
    assert await committed(core, warnings.next_to_review, ana) is None
    item_id = await only_warning_id(core)
    assert await committed(core, warnings.mark, bea, item_id, "flags") == 1
    assert (await committed(core, warnings.next_to_review, ana)) is not None
    assert await committed(core, warnings.decide, ana, item_id, "keep") == "keep"
    async with core.db.unit_of_work() as uow:
        kept = await uow.warnings.get(item_id)
    assert kept is not None and (kept.status, kept.flags) == ("published", 0)
    assert await committed(core, warnings.next_to_review, ana) is None
    assert (
        await committed(core, warnings.mark, cris, item_id, "flags") == 1
    )  # back in front of her


async def networks_follow(core: Core, member: Member, network_id: str) -> None:
    assert await committed(core, areas.toggle_area, member, network_id, "centro") is True


async def only_warning_id(core: Core) -> str:
    from sqlalchemy import select

    from storage.models import WarningRow

    async with core.db.unit_of_work() as uow:
        (warning_id,) = (await uow.session.scalars(select(WarningRow.id))).all()
    return warning_id
