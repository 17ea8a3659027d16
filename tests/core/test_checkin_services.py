"""The check-in use cases through a real unit of work and a fake clock."""

from __future__ import annotations

from datetime import timedelta

from bot.core import checkins, contacts, members, scheduler
from bot.core.context import Core, Refused
from bot.core.records import Location, Member
from tests.support.clock import FakeClock
from tests.support.units import committed

DETAILS = "Hotel Prueba hab 12, placa TEST-000"


async def linked(core: Core) -> tuple[Member, Member, Member]:
    """Ana, and Luz and Eva, who accepted her invitations and whom she confirmed."""
    ana = await committed(core, members.identify, 1_000_001, "es")
    ana = await committed(core, members.set_alias, ana, "Ana")  # type: ignore[assignment]
    people = []
    for user_id, label in ((1_000_002, "Luz"), (1_000_003, "Eva")):
        contact = await committed(core, members.identify, user_id, "es")
        contact = await committed(core, members.set_alias, contact, label)  # type: ignore[assignment]
        people.append(contact)
        invite = await committed(core, contacts.create_invite, ana, label)
        assert isinstance(invite, contacts.InviteCreated)
        view = await committed(core, contacts.open_invite, invite.token, contact)
        assert isinstance(view, contacts.InviteView)
        assert isinstance(
            await committed(core, contacts.accept_invite, view.invite_id, contact),
            contacts.Accepted,
        )
        confirmed = await committed(core, contacts.confirm_contact, ana, await asked(core, ana))
        assert isinstance(confirmed, contacts.Confirmed)
    luz, eva = people
    return ana, luz, eva


async def asked(core: Core, worker: Member) -> str:
    """The token of the newest "is this your contact?" queued for her."""
    async with core.db.unit_of_work() as uow:
        items = await uow.outbox.peek(core.clock.now(), 500)
    tokens = [
        item.payload["params"]["token"]
        for item in items
        if item.recipient_id == worker.id and item.payload["kind"] == "contacts.to_confirm"
    ]
    return str(tokens[-1])


async def outbox_kinds(core: Core) -> list[tuple[str, str]]:
    """(recipient, kind) of every pending notification, most urgent first."""
    async with core.db.unit_of_work() as uow:
        items = await uow.outbox.peek(core.clock.now(), 500)
    return [(item.recipient_id, item.payload["kind"]) for item in items]


async def test_a_missed_checkin_queues_alerts_with_details_and_pins(
    core: Core, clock: FakeClock
) -> None:
    ana, luz, eva = await linked(core)
    started = await committed(
        core, checkins.start_checkin, ana, timedelta(minutes=30), DETAILS, Location(19.4, -99.1)
    )
    assert isinstance(started, checkins.Started) and started.contacts == 2
    await clock.advance(minutes=35, seconds=1)
    assert await scheduler.fire_due(core) == 1
    pending = await outbox_kinds(core)
    for contact in (luz, eva):
        assert (contact.id, "alert") in pending
        assert (contact.id, "alert.location") in pending
    assert (ana.id, "checkin.alert_sent") in pending
    assert pending[0][1] == "alert"  # alerts go first


async def test_firing_twice_at_the_same_instant_adds_nothing(core: Core, clock: FakeClock) -> None:
    ana, _, _ = await linked(core)
    await committed(core, checkins.start_checkin, ana, timedelta(minutes=30), DETAILS)
    await clock.advance(minutes=36)
    await scheduler.fire_due(core)
    before = await outbox_kinds(core)
    assert await scheduler.fire_due(core) == 0
    assert await outbox_kinds(core) == before


async def test_safe_before_the_alert_destroys_details_and_tells_nobody(
    core: Core, clock: FakeClock
) -> None:
    ana, luz, _ = await linked(core)
    started = await committed(core, checkins.start_checkin, ana, timedelta(minutes=30), DETAILS)
    assert isinstance(started, checkins.Started)
    ended = await committed(core, checkins.check_in_safe, ana)
    assert isinstance(ended, checkins.Ended) and not ended.was_alerted
    async with core.db.unit_of_work() as uow:
        row = await uow.checkins.get(started.checkin.id)
    assert row is not None and row.details is None and row.status == "safe"
    await clock.advance(hours=2)
    await scheduler.fire_due(core)
    assert not [k for r, k in await outbox_kinds(core) if r == luz.id and k.startswith("alert")]


async def test_the_row_is_purged_a_week_after_it_ended(core: Core, clock: FakeClock) -> None:
    ana, _, _ = await linked(core)
    started = await committed(core, checkins.start_checkin, ana, timedelta(minutes=30))
    assert isinstance(started, checkins.Started)
    await committed(core, checkins.check_in_safe, ana)
    await clock.advance(days=7, seconds=1)
    await scheduler.fire_due(core)
    async with core.db.unit_of_work() as uow:
        assert await uow.checkins.get(started.checkin.id) is None


async def test_acknowledgement_names_the_first_and_the_second_is_told(
    core: Core, clock: FakeClock
) -> None:
    ana, luz, eva = await linked(core)
    started = await committed(core, checkins.start_checkin, ana, timedelta(minutes=1))
    assert isinstance(started, checkins.Started)
    await clock.advance(minutes=7)
    await scheduler.fire_due(core)
    first = await committed(core, checkins.acknowledge_alert, luz, started.checkin.id)
    assert isinstance(first, checkins.Acknowledged) and first.first and first.by_label == "Luz"
    second = await committed(core, checkins.acknowledge_alert, eva, started.checkin.id)
    assert isinstance(second, checkins.Acknowledged) and not second.first
    assert second.by_label == "Luz"
    assert (eva.id, "alert.acknowledged") in await outbox_kinds(core)


async def test_a_stranger_cannot_acknowledge(core: Core, clock: FakeClock) -> None:
    ana, _, _ = await linked(core)
    stranger = await committed(core, members.identify, 1_000_009, "es")
    started = await committed(core, checkins.start_checkin, ana, timedelta(minutes=1))
    assert isinstance(started, checkins.Started)
    await clock.advance(minutes=7)
    await scheduler.fire_due(core)
    refused = await committed(core, checkins.acknowledge_alert, stranger, started.checkin.id)
    assert refused == Refused("alert.ack.stale")


async def test_an_unreachable_contact_is_skipped_and_reported_once(
    core: Core, clock: FakeClock
) -> None:
    ana, luz, eva = await linked(core)
    started = await committed(core, checkins.start_checkin, ana, timedelta(minutes=1))
    assert isinstance(started, checkins.Started)
    await clock.advance(minutes=7)
    await scheduler.fire_due(core)
    assert await committed(core, contacts.member_unreachable, eva.id) == 1
    assert await committed(core, contacts.member_unreachable, eva.id) == 0
    await clock.advance(minutes=10)
    await scheduler.fire_due(core)
    pending = await outbox_kinds(core)
    assert pending.count((ana.id, "contacts.unreachable")) == 1
    assert pending.count((eva.id, "alert")) == 1  # the first alert only
    assert pending.count((luz.id, "alert")) == 2  # the alert and its repeat
