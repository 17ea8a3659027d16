"""Shift partners through a real unit of work: links, joining, the limit of four, leaving,
the end after 12 hours, and nothing of a shift left in any table once it ended."""

from __future__ import annotations

from sqlalchemy import select, text

from bot.core import housekeeping, members, shifts
from bot.core.context import Core, Refused
from bot.core.records import Member
from bot.core.shifts import AliasNeeded, ShiftLink, ShiftOffer
from storage.models import Base
from tests.core.test_checkin_services import outbox_kinds
from tests.support.clock import FakeClock
from tests.support.units import committed


async def person(core: Core, number: int, alias: str | None) -> Member:
    member = await committed(core, members.identify, 3_000_000 + number, "es")
    if alias is None:
        return member
    named = await committed(core, members.set_alias, member, alias)
    assert isinstance(named, Member)
    return named


async def link_of(core: Core, member: Member) -> str:
    made = await committed(core, shifts.new_link, member)
    assert isinstance(made, ShiftLink)
    return made.token


async def joins(core: Core, member: Member, token: str) -> None:
    offer = await committed(core, shifts.open_link, token, member)
    assert isinstance(offer, ShiftOffer)
    joined = await committed(core, shifts.accept, offer.pass_id, member)
    assert isinstance(joined, list)


async def shift_of_three(core: Core) -> list[Member]:
    ana, luz, eva = [await person(core, i, a) for i, a in enumerate(("Ana", "Luz", "Eva"))]
    await joins(core, luz, await link_of(core, ana))
    await joins(core, eva, await link_of(core, ana))
    return [ana, luz, eva]


async def shift_rows(core: Core) -> dict[str, int]:
    """How many rows each shift table holds."""
    counts = {}
    async with core.db.unit_of_work() as uow:
        for table in ("shifts", "shift_members", "shift_passes"):
            counts[table] = int(await uow.session.scalar(text(f"SELECT count(*) FROM {table}")))
    return counts


async def test_partners_now_are_the_others_of_her_shift_by_alias(core: Core) -> None:
    ana, luz, eva = await shift_of_three(core)
    partners = await committed(core, shifts.partners_now, luz.id)
    assert sorted((p.alias, p.member_id) for p in partners) == [("Ana", ana.id), ("Eva", eva.id)]
    kinds = await outbox_kinds(core)
    assert (ana.id, "shifts.joined") in kinds and (luz.id, "shifts.joined") in kinds
    loner = await person(core, 9, "Sol")
    assert await committed(core, shifts.partners_now, loner.id) == []


async def test_a_link_is_single_use_and_expires_in_an_hour(core: Core, clock: FakeClock) -> None:
    ana, luz, eva = [await person(core, i, a) for i, a in enumerate(("Ana", "Luz", "Eva"))]
    token = await link_of(core, ana)
    await joins(core, luz, token)
    assert await committed(core, shifts.open_link, token, eva) == Refused("shift.error.invalid")
    late = await link_of(core, ana)
    await clock.advance(hours=1, seconds=1)
    assert await committed(core, shifts.open_link, late, eva) == Refused("shift.error.invalid")


async def test_four_at_most_and_one_shift_at_a_time(core: Core) -> None:
    people = [await person(core, i, f"P{i}") for i in range(6)]
    for joiner in people[1:4]:
        await joins(core, joiner, await link_of(core, people[0]))
    assert await committed(core, shifts.new_link, people[0]) == Refused("shift.error.full")
    other = await link_of(core, people[4])
    assert await committed(core, shifts.open_link, other, people[1]) == Refused(
        "shift.error.other"
    )


async def test_a_joiner_without_an_alias_is_asked_for_one(core: Core) -> None:
    ana, nameless = await person(core, 1, "Ana"), await person(core, 2, None)
    offer = await committed(core, shifts.open_link, await link_of(core, ana), nameless)
    assert isinstance(offer, ShiftOffer)
    assert isinstance(await committed(core, shifts.accept, offer.pass_id, nameless), AliasNeeded)


async def test_the_last_one_out_ends_the_shift_and_nothing_of_it_is_left(core: Core) -> None:
    ana, luz, eva = await shift_of_three(core)
    await link_of(core, ana)  # an unused link too
    await committed(core, shifts.leave, luz)
    assert (ana.id, "shifts.left") in await outbox_kinds(core)
    assert [p.alias for p in await committed(core, shifts.partners_now, ana.id)] == ["Eva"]
    await committed(core, shifts.leave, ana)
    await committed(core, shifts.leave, eva)
    assert await shift_rows(core) == {"shifts": 0, "shift_members": 0, "shift_passes": 0}
    assert await committed(core, shifts.leave, eva) == Refused("shift.error.none")


async def test_after_twelve_hours_the_shift_ends_for_everyone(
    core: Core, clock: FakeClock
) -> None:
    ana, luz, eva = await shift_of_three(core)
    await clock.advance(hours=12)
    assert await committed(core, shifts.partners_now, luz.id) == []  # over before the sweep
    await housekeeping.sweep(core)
    assert await shift_rows(core) == {"shifts": 0, "shift_members": 0, "shift_passes": 0}
    ended = [who for who, kind in await outbox_kinds(core) if kind == "shifts.ended"]
    assert sorted(ended) == sorted(m.id for m in (ana, luz, eva))


async def test_an_ended_shift_leaves_no_id_in_any_table(core: Core) -> None:
    """Every column of every table, read after the shift: no shift, pass or membership id
    anywhere, whole or in part."""
    people = await shift_of_three(core)
    await link_of(core, people[0])
    ids: set[str] = set()
    async with core.db.unit_of_work() as uow:
        for table in ("shifts", "shift_passes", "shift_members"):
            ids |= set(await uow.session.scalars(text(f"SELECT id FROM {table}")))
    assert len(ids) == 1 + 1 + 3
    for member in people:
        await committed(core, shifts.leave, member)
    async with core.db.unit_of_work() as uow:
        for table in Base.metadata.sorted_tables:
            for row in (await uow.session.execute(select(table))).all():
                for value in row:
                    found = value if isinstance(value, str) else ""
                    found += value.hex() if isinstance(value, bytes) else ""
                    assert not any(i[:8] in found for i in ids), table.name
