"""Each row of the retention table, under a fake clock: kept until its time, then gone."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.core import checkins, contacts, members
from bot.core.context import Core, Work
from bot.core.housekeeping import purge_everything, sweep
from bot.core.notifications import Reply
from storage.models import Base, CheckInRow, InviteRow, MemberRow, OutboxRow
from tests.core.test_checkin_services import linked
from tests.support.clock import FakeClock
from tests.support.units import committed

SENT, FAILED = timedelta(hours=24), timedelta(days=7)


async def count(core: Core, table: type[Base]) -> int:
    async with core.db.unit_of_work() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(table)) or 0)


async def test_invitations_go_after_a_day(core: Core, clock: FakeClock) -> None:
    ana = await committed(core, members.identify, 1_000_001, "es")
    assert isinstance(
        await committed(core, contacts.create_invite, ana, "Luz"), contacts.InviteCreated
    )
    await clock.advance(hours=23)
    await sweep(core)
    assert await count(core, InviteRow) == 1
    await clock.advance(hours=1, seconds=1)
    await sweep(core)
    assert await count(core, InviteRow) == 0


async def test_purge_runs_the_check_in_and_outbox_periods(core: Core, clock: FakeClock) -> None:
    ana, _luz, _eva = await linked(core)
    started = await committed(
        core, checkins.start_checkin, ana, timedelta(minutes=30), "Hotel Prueba"
    )
    assert isinstance(started, checkins.Started)
    assert isinstance(await committed(core, checkins.check_in_safe, ana), checkins.Ended)
    notification = Reply(ana.id, "checkin.safe")
    await committed(core, Work.notify, notification)
    async with core.unit() as uow:
        for item in await uow.outbox.peek(clock.now(), 100):
            await uow.outbox.mark_sent(item.id, clock.now(), 7)
    await clock.advance(days=6)
    gone = await purge_everything(core, SENT, FAILED)
    assert gone["check-ins"] == 0 and gone["outbox"] > 0
    assert await count(core, CheckInRow) == 1 and await count(core, OutboxRow) == 0
    await clock.advance(days=1, seconds=1)
    assert (await purge_everything(core, SENT, FAILED))["check-ins"] == 1
    assert await count(core, CheckInRow) == 0


async def test_a_member_unseen_for_180_days_is_told_then_forgotten(
    core: Core, clock: FakeClock
) -> None:
    ana, luz, _eva = await linked(core)
    await clock.advance(days=172)
    await sweep(core)
    assert await count(core, MemberRow) == 3
    await clock.advance(days=1, seconds=1)
    await sweep(core)  # 173 days: told
    await committed(core, members.identify, 1_000_002, "es")  # Luz comes back a day later
    await clock.advance(days=6, hours=23)
    await sweep(core)
    assert await count(core, MemberRow) == 3  # not yet 7 days since the notice
    await clock.advance(hours=1, seconds=1)
    await sweep(core)
    async with core.db.unit_of_work() as uow:
        assert await uow.members.get(ana.id) is None
        assert await uow.members.get(luz.id) is not None
    assert await count(core, MemberRow) == 1
