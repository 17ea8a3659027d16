"""Networks and warnings through a real unit of work: who receives a warning, who may
check, and what expiry deletes."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Row, select

from bot.core import areas, members, networks, warnings
from bot.core.context import Core, Refused
from bot.core.network_config import NetworkConfig, parse_config
from bot.core.networks import PassCreated, Welcome
from bot.core.records import Member
from bot.core.warnings import Submitted
from storage.models import WarningRow
from tests.core.test_checkin_services import outbox_kinds
from tests.support.chance import Chance
from tests.support.clock import FakeClock
from tests.support.units import committed

CONFIG_TEXT = (
    "region: MX\nmoderation: open\nretention_days: 10\nareas:\n"
    "  - id: centro\n    name: Centro\n  - id: norte\n    name: Norte\n"
)
CONFIG = parse_config(CONFIG_TEXT)
TRUSTING = parse_config(CONFIG_TEXT + "review_first: 0\n")  # no first warnings to review


async def network_of(
    core: Core, count: int, config: NetworkConfig = CONFIG
) -> tuple[str, list[Member]]:
    """A network with `count` members; the first coordinates it."""
    created = await committed(core, networks.create_network, "Red Prueba", config)
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


async def warning_kinds(core: Core) -> list[str]:
    return sorted(who for who, kind in await outbox_kinds(core) if kind == "warning")


async def test_a_warning_waits_its_delay_then_reaches_every_follower_its_author_too(
    core: Core, clock: FakeClock
) -> None:
    core.chance = Chance(0.5)  # 2 to 20 minutes: 11
    network_id, (ana, bea, cris, dora) = await network_of(core, 4, TRUSTING)
    for person, area in ((ana, "centro"), (bea, "centro"), (cris, "centro"), (dora, "norte")):
        assert await committed(core, areas.toggle_area, person, network_id, area) is True
    sent = await committed(core, warnings.submit, bea, draft(network_id))
    assert sent == warnings.Submitted(published=True, recipients=3)
    assert await warning_kinds(core) == []  # nothing may go before its time
    await clock.advance(minutes=10, seconds=59)
    assert await warning_kinds(core) == []
    await clock.advance(seconds=1)
    assert await warning_kinds(core) == sorted((ana.id, bea.id, cris.id))  # not dora's area


async def test_its_times_do_not_point_at_the_moment_it_was_sent(
    core: Core, clock: FakeClock
) -> None:
    await clock.advance(minutes=37, seconds=12)  # 18:37:12
    sent_at = clock.now()
    core.chance = Chance(0.0)
    network_id, (ana,) = await network_of(core, 1, TRUSTING)
    await committed(core, warnings.submit, ana, draft(network_id))
    rows = await warning_rows(core)
    assert rows[0].created_at == sent_at.replace(minute=0, second=0)  # the hour only
    assert rows[0].expires_at == rows[0].created_at + timedelta(days=10)
    assert rows[0].published_at == sent_at + timedelta(minutes=2)  # the earliest of the range
    core.chance = Chance(1.0)
    await committed(core, warnings.submit, ana, draft(network_id))
    assert (await warning_rows(core))[1].published_at == sent_at + timedelta(minutes=20)


def test_the_delay_is_drawn_in_the_networks_range() -> None:
    config = parse_config(CONFIG_TEXT)
    assert config.publish_delay_minutes == (2, 20)
    drawn = {warnings.publication_delay(config, random.Random(seed)) for seed in range(300)}
    assert min(drawn) >= timedelta(minutes=2) and max(drawn) <= timedelta(minutes=20)
    assert len(drawn) > 250  # to the second: not a few fixed values
    assert warnings.publication_delay(config, Chance(0.0)) == timedelta(minutes=2)
    assert warnings.publication_delay(config, Chance(1.0)) == timedelta(minutes=20)
    own = parse_config(CONFIG_TEXT + "publish_delay_minutes: [30, 45]\n")
    assert warnings.publication_delay(own, Chance(1.0)) == timedelta(minutes=45)
    assert warnings.publication_delay(own, Chance(0.0)) == timedelta(minutes=30)


async def test_a_new_members_first_warnings_wait_for_review_even_in_an_open_network(
    core: Core, clock: FakeClock
) -> None:
    network_id, (ana, bea) = await network_of(core, 2)  # open; review_first: 2
    for _ in range(2):
        sent = await committed(core, warnings.submit, bea, draft(network_id))
        assert sent == warnings.Submitted(published=False, recipients=0, waits="first")
        item = await committed(core, warnings.next_to_review, ana)
        assert item is not None
        assert await committed(core, warnings.decide, ana, item.warning.id, "approve") == "approve"
    sent = await committed(core, warnings.submit, bea, draft(network_id))
    assert sent == warnings.Submitted(published=True, recipients=0)
    # A coordinator's own warnings publish at once from the first.
    assert (await committed(core, warnings.submit, ana, draft(network_id))).published  # type: ignore[union-attr]


async def test_an_approved_warning_waits_its_delay_and_its_author_hears_later_still(
    core: Core, clock: FakeClock
) -> None:
    """A coordinator's approval is not the moment members get it either; the notice to its
    author comes a delay of its own after the publication."""
    core.chance = Chance(0.5)  # 11 minutes each time
    network_id, (ana, bea, cris) = await network_of(core, 3)  # bea's first: reviewed
    await networks_follow(core, cris, network_id)
    await committed(core, warnings.submit, bea, draft(network_id))
    item = await committed(core, warnings.next_to_review, ana)
    assert item is not None
    await clock.advance(minutes=30)
    assert await committed(core, warnings.decide, ana, item.warning.id, "approve") == "approve"
    await clock.advance(minutes=10, seconds=59)
    assert await warning_kinds(core) == [] and "warning.published" not in await kinds_of(core, bea)
    await clock.advance(seconds=1)
    assert await warning_kinds(core) == [cris.id]
    assert "warning.published" not in await kinds_of(core, bea)
    await clock.advance(minutes=11)
    assert "warning.published" in await kinds_of(core, bea)


async def kinds_of(core: Core, member: Member) -> list[str]:
    return [kind for who, kind in await outbox_kinds(core) if who == member.id]


async def test_five_warnings_a_day_then_she_is_told_and_may_send_again_a_day_later(
    core: Core, clock: FakeClock
) -> None:
    network_id, (ana, bea) = await network_of(core, 2, TRUSTING)
    await clock.advance(minutes=59)  # 18:59: the sixth is refused until 19:00 the next day
    for _ in range(5):
        sent = await committed(core, warnings.submit, bea, draft(network_id))
        assert isinstance(sent, Submitted)
    capped = await committed(core, warnings.submit, bea, draft(network_id))
    assert capped == Refused("warn.error.daily_limit", {"count": "5"})
    assert isinstance(await committed(core, warnings.submit, ana, draft(network_id)), Submitted)
    await clock.advance(hours=24)  # 18:59 the next day: still within 24 hours of some
    assert await committed(core, warnings.submit, bea, draft(network_id)) == capped
    await clock.advance(minutes=1)
    assert isinstance(await committed(core, warnings.submit, bea, draft(network_id)), Submitted)


async def test_past_the_burst_warnings_wait_and_a_coordinator_publishes_later(
    core: Core, clock: FakeClock
) -> None:
    core.limits = replace(core.limits, warnings_burst=3, warnings_burst_seconds=600)
    core.chance = Chance(1.0)  # every delay 20 minutes
    network_id, (ana, bea) = await network_of(core, 2, TRUSTING)
    for person in (ana, bea, ana):
        assert (await committed(core, warnings.submit, person, draft(network_id))).published  # type: ignore[union-attr]
    sent = await committed(core, warnings.submit, bea, draft(network_id))
    assert sent == warnings.Submitted(published=False, recipients=0, waits="busy")
    item = await committed(core, warnings.next_to_review, ana)
    assert item is not None
    # The three go out at 18:20; the fourth may go once they are over 10 minutes old.
    refused = await committed(core, warnings.decide, ana, item.warning.id, "approve")
    assert refused == Refused("moderation.error.busy", {"count": "30"})
    await clock.advance(minutes=30)
    still = await committed(core, warnings.decide, ana, item.warning.id, "approve")
    assert still == Refused("moderation.error.busy", {"count": "1"})
    await clock.advance(seconds=1)
    assert await committed(core, warnings.decide, ana, item.warning.id, "approve") == "approve"


def test_no_more_than_the_limit_in_any_window() -> None:
    """Whatever the order of publications and delays, no window of the burst's length holds
    more than the limit."""
    chance, window, limit = random.Random(7), timedelta(minutes=10), 4
    start = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
    published: list[datetime] = []
    for second in range(0, 3 * 3600, 17):
        now = start + timedelta(seconds=second)
        if warnings.burst_wait(published, now, limit, window) is None:
            published.append(now + timedelta(seconds=chance.randint(120, 1200)))
    published.sort()
    for i, first in enumerate(published):
        assert len([t for t in published[i:] if t <= first + window]) <= limit
    assert len(published) > 3 * 3600 / 600 * limit / 2  # and it does publish


async def warning_rows(core: Core) -> list[Row[tuple[datetime, datetime, datetime | None]]]:
    """(created_at, expires_at, published_at) of every warning, the soonest published first."""
    columns = (WarningRow.created_at, WarningRow.expires_at, WarningRow.published_at)
    async with core.db.unit_of_work() as uow:
        rows = await uow.session.execute(select(*columns).order_by(WarningRow.published_at))
        return list(rows)


async def test_only_members_check_and_only_so_often(core: Core, clock: FakeClock) -> None:
    network_id, (ana, bea) = await network_of(core, 2)
    await committed(core, warnings.submit, ana, draft(network_id, phone="+525512345678"))
    await clock.advance(minutes=20)  # published after its delay
    stranger = await committed(core, members.identify, 3_000_000, "es")
    assert await committed(core, warnings.check_client, stranger, "55 1234 5678") == Refused(
        "check.error.not_member"
    )
    core.limits = replace(core.limits, checks_per_hour=2)
    assert len(await found(core, bea, "5512345678")) == 1
    assert await committed(core, warnings.check_client, bea, "tonterías") == Refused(
        "check.error.phone", {"example": "55 1234 5678"}
    )
    assert await found(core, bea, "55 8765 4321") == []
    limited = await committed(core, warnings.check_client, bea, "55 1234 5678")
    assert limited == Refused("check.error.limit", {"count": "2"})
    await clock.advance(hours=1, seconds=1)
    assert len(await found(core, bea, "5512345678")) == 1


async def found(core: Core, member: Member, text: str) -> list[warnings.Found]:
    checked = await committed(core, warnings.check_client, member, text)
    assert isinstance(checked, warnings.Checked), checked
    return checked.found


@pytest.mark.parametrize(
    ("text", "plate"),
    [
        ("ABC-123", "ABC123"),
        ("abc 123", "ABC123"),
        ("ABC123", "ABC123"),
        ("p-123abc", "P123ABC"),
        ("hola", None),  # a word
        ("12345", None),  # a number that is not a phone
        ("Fulano Prueba", None),  # a name is not searchable
        ("A1", None),  # too short
    ],
)
def test_a_plate_is_checked_as_the_form_keeps_it(text: str, plate: str | None) -> None:
    assert warnings.checkable_plate(text) == plate


async def test_no_burst_of_checks_at_the_edge_of_an_hour(core: Core, clock: FakeClock) -> None:
    """A fixed hourly window let 39 checks through in 25 s across its edge; the window
    slides: never more than the limit in any hour."""
    _, (_ana, bea) = await network_of(core, 2)
    made: list[datetime] = []

    async def check() -> bool:
        result = await committed(core, warnings.check_client, bea, "55 8765 4321")
        if result == warnings.Checked("phone", []):
            made.append(clock.now())
        return result == warnings.Checked("phone", [])

    assert await check()  # 18:00:00
    await clock.advance(minutes=59, seconds=50)
    for _ in range(25):  # 18:59:50 to 19:00:14, a check a second
        await check()
        await clock.advance(seconds=1)
    burst = [t for t in made if t >= made[0] + timedelta(minutes=59, seconds=50)]
    assert len(burst) == 20  # not 39: the 18:00 one left the hour at 19:00:01, then 9 more
    for first in made:
        assert len([t for t in made if first <= t <= first + timedelta(hours=1)]) <= 20
    await clock.advance(minutes=59, seconds=35)  # 19:59:50: the one of 18:59:50 still counts
    assert not await check()
    await clock.advance(seconds=1)  # 19:59:51: it is over an hour old
    assert await check()
    assert not await check()


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
    async with core.db.unit_of_work() as uow:
        (warning_id,) = (await uow.session.scalars(select(WarningRow.id))).all()
    return warning_id
