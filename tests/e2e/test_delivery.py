"""The delivery engine end to end, with Telegram's limits on: alerts and replies overtake a
broadcast, an outage loses nothing and keeps the order, gone chats are reported. These tests
assert order, never seconds: how fast is for tests/bench/bench_delivery.py."""

from __future__ import annotations

import asyncio
import base64
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.core.announcements import announce
from bot.core.notifications import Priority
from bot.delivery.outbox import SenderSettings
from bot.emulator import EmulatedUser, Fault, SentMessage
from storage.models import OutboxRow
from tests.e2e.conftest import GRACE, World, short_checkin
from tests.support.catalog import said
from tests.support.settle import eventually

NEWS = "Aviso de prueba para todas"


@pytest.fixture
def rate_limits() -> bool:
    return True


@pytest.fixture
def sender_settings() -> SenderSettings:
    """Production limits; a short probe interval so that a test need not wait 10 s."""
    return SenderSettings(backoff_max=1.0)


async def crowd(world: World, size: int) -> list[EmulatedUser]:
    """Members who never said anything: made straight in the database, as many as needed."""
    people = [world.emulator.user(f"peer-{n:04d}") for n in range(size)]
    async with world.bot.core.db.unit_of_work() as uow:
        for person in people:
            await uow.members.add(person.id, "es", "America/Mexico_City", world.clock.now())
        await uow.commit()
    return people


async def outbox_pending(world: World) -> int:
    async with world.bot.core.db.unit_of_work() as uow:
        return await uow.outbox.count()


async def alert_queued(world: World) -> bool:
    """Whether the scheduler has committed an alert to the outbox (sent or not)."""
    query = select(func.count()).select_from(OutboxRow)
    async with world.bot.core.db.unit_of_work() as uow:
        return bool(await uow.session.scalar(query.where(OutboxRow.priority == Priority.ALERT)))


def news(world: World) -> list[SentMessage]:
    return [m for m in world.emulator.sent if NEWS in (m.text or "")]


def news_before(world: World, message: SentMessage) -> int:
    """How many of the broadcast Telegram had accepted before `message`."""
    sent = world.emulator.sent
    return sum(NEWS in (m.text or "") for m in sent[: sent.index(message)])


async def test_an_alert_and_replies_overtake_a_queued_broadcast(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await short_checkin(ana, "Hotel Prueba, placa TEST-000", timeout=10)
    await ana.receives(containing=said("checkin.details_saved_deleted"), timeout=10)
    people = await crowd(world, 1000)
    queued = await announce(world.bot.core, NEWS)
    assert queued == 1002
    await world.emulator.wait_until(lambda: len(news(world)) >= 60, timeout=10)

    await world.clock.advance(minutes=1, seconds=GRACE + 1)  # no settling: 1,000 wait
    await eventually(lambda: alert_queued(world), "the alert is queued")
    went_before = len(news(world))  # the broadcast had gone this far when the alert came
    alert = await luz.receives(containing=said("alert.missed.title", alias="Ana"), timeout=10)
    # Only what the sender already had in flight, or was starting, may go in between:
    # the alert goes before the hundreds of messages queued before it.
    in_flight = world.bot.sender.settings.in_flight
    assert news_before(world, alert) - went_before <= 2 * in_flight
    assert news_before(world, alert) < queued

    asking = people[-1]
    for _ in range(3):
        await asking.send("/help")
        reply = await asking.receives(containing=said("help.text"), timeout=10)
        assert news_before(world, reply) < queued
    assert len(news(world)) < queued  # all of that while the broadcast drained
    assert world.emulator.too_many_requests == 0


async def test_an_outage_loses_nothing_and_alerts_go_first_when_it_ends(world: World) -> None:
    workers = await world.members("ana", "bea", "cris")
    contacts = await world.members("luz", "eva", "flor")
    for worker, contact in zip(workers, contacts, strict=True):
        await world.link(worker, contact)
    for worker in workers:  # deadlines one minute apart
        await short_checkin(worker, timeout=10)
        await worker.receives(containing=said("checkin.started"), timeout=10)
        await world.advance(minutes=1)
        await worker.receives(containing=said("checkin.last_call"), timeout=10)
    await crowd(world, 40)
    await world.advance(seconds=GRACE - 150)  # 30 s before the first alert
    assert await outbox_pending(world) == 0

    world.emulator.outage(10_000)  # Telegram unreachable until the test says so
    probes = world.emulator.requests["getMe"]
    await announce(world.bot.core, NEWS)
    for _ in workers:  # two minutes and more; an alert falls due in each
        await world.advance(minutes=1)  # settles: the alert is queued, and waits
    # The sender has found Telegram down (its getMe was refused), not merely one row
    # failing: ended before that, the outage would look like the rows' own failures.
    await eventually(lambda: world.emulator.requests["getMe"] > probes, "a refused getMe")
    assert not [m for m in world.emulator.sent if "ALERTA" in (m.text or "")]
    async with world.bot.core.db.unit_of_work() as uow:
        assert await uow.outbox.count() == 3 + 3 + 46  # alerts, her notices, the news
    outage_ended = len(world.emulator.sent)

    world.emulator.clear_faults()
    await world.emulator.wait_until(lambda: len(news(world)) == 46, timeout=30)
    after = world.emulator.sent[outage_ended:]
    assert len(after) == 3 + 3 + 46  # nothing lost, nothing twice
    assert all("ALERTA" in (m.text or "") for m in after[:3])  # alerts first,
    assert [m.chat_id for m in after[:3]] == [c.chat_id for c in contacts]  # in order due,
    assert all("Avisé a tu" in (m.text or "") for m in after[3:6])  # then notices,
    assert all(NEWS in (m.text or "") for m in after[6:])  # then the broadcast
    assert world.emulator.too_many_requests == 0


async def test_a_contact_who_deleted_her_account_is_reported_once(world: World) -> None:
    ana, luz, eva = await world.members("ana", "luz", "eva")
    await world.link(ana, luz, eva)
    world.emulator.inject(Fault("chat_not_found", chat_id=eva.chat_id, times=None))
    await short_checkin(ana, timeout=10)
    await ana.receives(containing=said("checkin.started"), timeout=10)
    await world.advance(minutes=1, seconds=GRACE + 1)
    await luz.receives(containing=said("alert.missed.title", alias="Ana"), timeout=10)
    await ana.receives(containing="No puedo escribirle a Eva", timeout=10)
    await world.advance(minutes=10)
    await luz.receives(containing="aviso repetido 1", timeout=10)
    await world.settle()
    notices = [m for m in ana.inbox() if "No puedo escribirle" in (m.text or "")]
    assert len(notices) == 1
    async with world.bot.core.db.unit_of_work() as uow:
        assert await uow.outbox.count("failed") == 1  # the first alert; the repeat skipped her


async def test_blocking_the_bot_is_noticed_from_any_message(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    world.emulator.block(luz)
    await announce(world.bot.core, NEWS)
    await ana.receives(containing=NEWS, timeout=10)
    await ana.receives(containing="No puedo escribirle a Luz", timeout=10)
    world.emulator.unblock(luz)
    await luz.send("/help")  # she is back: alerts reach her again
    await luz.receives(containing=said("help.text"), timeout=10)
    await short_checkin(ana, timeout=10)
    await ana.receives(containing=said("checkin.started"), timeout=10)
    await world.advance(minutes=1, seconds=GRACE + 1)
    await luz.receives(containing=said("alert.missed.title", alias="Ana"), timeout=10)


async def test_failed_and_sent_rows_are_purged_after_their_retention(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    world.emulator.block(luz)
    await announce(world.bot.core, NEWS)
    await ana.receives(containing="No puedo escribirle a Luz", timeout=10)
    core = world.bot.core
    async with core.db.unit_of_work() as uow:
        assert await uow.outbox.count("failed") == 1
        assert await uow.outbox.count("sent") > 0
        assert await uow.outbox.purge(core.clock.now(), core.clock.now()) == 0  # not yet
        later = core.clock.now()
    await world.advance(hours=25)
    async with core.db.unit_of_work() as uow:
        settings = world.bot.sender.settings
        now = core.clock.now()
        await uow.outbox.purge(now - settings.sent_ttl, now - settings.failed_ttl)
        await uow.commit()
    async with core.db.unit_of_work() as uow:
        assert await uow.outbox.count("sent") == 0
        assert await uow.outbox.count("failed") == 1  # failed rows stay 7 days
        assert await uow.outbox.purge(later, later + settings.failed_ttl) == 1
        await uow.commit()
    assert Priority.BROADCAST > Priority.ALERT


async def test_an_operator_announcement_from_the_command_line(
    world: World, tmp_path: Path
) -> None:
    ana, luz = await world.members("ana", "luz")
    message = tmp_path / "announcement.txt"
    message.write_text(NEWS + "\n", encoding="utf-8")
    env = {
        **os.environ,
        "DATABASE_URL": world.database_url,
        "COMPANERA_DATA_DIR": str(tmp_path),
        "COMPANERA_MASTER_KEY": base64.b64encode(world.master_key).decode(),
    }
    for _ in range(2):  # the second time on the same day queues nobody twice
        done = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            "announce",
            str(message),
            env=env,
            stdout=asyncio.subprocess.PIPE,
        )
        output, _ = await done.communicate()
        assert done.returncode == 0
    assert b"queued for 0 members" in output
    # The command line stamps rows with the real time; bring the test's clock there.
    await world.advance(seconds=(datetime.now(UTC) - world.clock.now()).total_seconds() + 1)
    for person in (ana, luz):  # the running bot finds it by itself, within seconds
        announced = await person.receives(containing=NEWS, timeout=15)
        assert announced.text.startswith(said("announcement.header"))
    await world.settle()
    assert len(news(world)) == 2
