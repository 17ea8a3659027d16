"""`world.settle()` returns only when the bot has done all it can now, whatever the speed of
the machine, and fails, naming what was busy, when it cannot get there."""

from __future__ import annotations

import pytest

from bot.emulator import Fault
from tests.e2e.conftest import GRACE, World, short_checkin
from tests.support.catalog import said


def texts(messages: list) -> list[str]:
    return [m.text or "" for m in messages]


async def test_settle_waits_for_an_update_and_its_replies(world: World) -> None:
    (ana,) = await world.members("ana")
    world.emulator.latency = 0.2  # every Bot API call, the bot's long poll too, is slow
    await ana.send("/help")
    await world.settle()
    assert any(said("help.text") in text for text in texts(ana.inbox()))
    await ana.receives(containing=said("help.text"), timeout=0)
    await ana.receives(containing=said("resources.offer", country="México"), timeout=0)
    await ana.receives_nothing()


async def test_settle_waits_for_what_falls_due_when_the_clock_moves(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await short_checkin(ana)
    await ana.receives(containing=said("checkin.started"))
    world.emulator.latency = 0.2
    await world.clock.advance(minutes=1, seconds=GRACE + 1)  # moved, not settled
    assert not [m for m in luz.inbox() if said("alert.missed.title") in (m.text or "")]
    await world.settle()
    alerts = [text for text in texts(luz.inbox()) if said("alert.missed.title") in text]
    assert len(alerts) == 1
    assert [t for t in texts(ana.inbox()) if said("checkin.alert_sent", count=1) in t]


async def test_settle_names_what_is_still_busy(world: World) -> None:
    (ana,) = await world.members("ana")
    world.emulator.timeout_seconds = 3.0
    world.emulator.inject(Fault("timeout", method="sendMessage", chat_id=ana.chat_id))
    await ana.send("/privacy")  # one reply
    with pytest.raises(AssertionError, match=r"still busy after 0.5 s: .*(outbox|sends)"):
        await world.settle(timeout=0.5)
    await world.settle()  # the send fails after 3 s, and waits a backoff of the fake clock
    await ana.receives_nothing()
    await world.advance(minutes=1)
    await ana.receives(containing=said("privacy.text"), timeout=0)
