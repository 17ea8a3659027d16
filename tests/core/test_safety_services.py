"""The silent-alarm use cases through a real unit of work: the PIN rule lives in the core,
whatever adapter asks."""

from __future__ import annotations

from datetime import timedelta

from bot.core import checkins, safety
from bot.core.checkins import Ended
from bot.core.context import Core, Refused
from bot.core.records import Member
from bot.core.safety import Guarded, PinNeeded, StoodDown, WrongPin
from tests.core.test_checkin_services import linked, outbox_kinds
from tests.support.units import committed


async def set_pins(core: Core, member: Member, safe: str, duress: str) -> None:
    first = await committed(core, safety.first_pin, safe)
    assert await committed(core, safety.save_pins, member, first, duress) is None


async def test_with_a_pin_im_safe_waits_for_it_and_without_one_it_does_not(core: Core) -> None:
    ana, _luz, _eva = await linked(core)
    started = await committed(core, checkins.start_checkin, ana, timedelta(hours=1))
    assert isinstance(started, checkins.Started)
    await set_pins(core, ana, "4821", "7350")
    waiting = await committed(core, safety.guarded, ana, None, Guarded.SAFE)
    assert waiting == PinNeeded(started.checkin.id, Guarded.SAFE)
    assert (await committed(core, checkins.open_checkin, ana)) is not None  # nothing happened yet
    assert isinstance(
        await committed(core, safety.with_pin, ana, None, Guarded.SAFE, "4821"), Ended
    )
    assert await committed(core, checkins.open_checkin, ana) is None

    assert await committed(core, safety.clear_pins, ana) is None
    await committed(core, checkins.start_checkin, ana, timedelta(hours=1))
    assert isinstance(await committed(core, safety.guarded, ana, None, Guarded.SAFE), Ended)


async def test_duress_looks_ended_and_alerts_wrong_pins_count(core: Core) -> None:
    ana, luz, eva = await linked(core)
    await set_pins(core, ana, "4821", "7350")
    await committed(core, checkins.start_checkin, ana, timedelta(hours=1))
    ended = await committed(core, safety.with_pin, ana, None, Guarded.SAFE, "7350")
    assert isinstance(ended, Ended) and not ended.was_alerted
    assert await committed(core, checkins.open_checkin, ana) is None  # hidden from her flows
    pending = await outbox_kinds(core)
    assert (luz.id, "alert") in pending and (eva.id, "alert") in pending
    assert (ana.id, "checkin.alert_sent") not in pending  # nothing in her chat

    await committed(core, checkins.start_checkin, ana, timedelta(hours=1))
    assert await committed(core, safety.with_pin, ana, None, Guarded.SAFE, "0000") == WrongPin(2)
    assert await committed(core, safety.with_pin, ana, None, Guarded.SAFE, "0001") == WrongPin(1)
    # The third wrong PIN answers as the safety PIN would, and alerts her contacts unseen.
    third = await committed(core, safety.with_pin, ana, None, Guarded.SAFE, "0002")
    assert isinstance(third, Ended) and not third.was_alerted
    assert await committed(core, checkins.open_checkin, ana) is None  # hidden from her flows
    assert (ana.id, "checkin.alert_sent") not in await outbox_kinds(core)  # nothing shows


async def test_all_good_after_an_sos_and_a_stale_one(core: Core) -> None:
    ana, _luz, _eva = await linked(core)
    raised = await committed(core, safety.raise_sos, ana)
    assert raised.contacts == 2
    assert await committed(core, safety.guarded, ana, "not-this-one", Guarded.OK) == Refused(
        "sos.error.stale"
    )
    assert await committed(core, safety.guarded, ana, raised.checkin_id, Guarded.OK) == StoodDown(
        told=2
    )
    assert await committed(core, checkins.open_checkin, ana) is None  # no timer: the SOS ended
