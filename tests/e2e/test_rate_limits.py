"""With Telegram's limits on, a busy conversation and an alert lose nothing, and the bot
is never told off."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import GRACE, World, short_checkin
from tests.support.catalog import said


@pytest.fixture
def rate_limits() -> bool:
    return True


async def test_a_full_flow_under_telegram_limits_loses_no_message(world: World) -> None:
    ana, luz, eva = await world.members("ana", "luz", "eva")
    await world.link(ana, luz, eva)
    await short_checkin(ana, "Hotel Prueba, placa TEST-000")
    await ana.receives(containing=said("checkin.details_saved_deleted"), timeout=10)
    await ana.send_location(19.4, -99.1)
    await ana.receives(containing=said("checkin.location_saved"), timeout=10)
    await world.advance(minutes=1, seconds=GRACE + 1)
    for contact in (luz, eva):
        alert = await contact.receives(containing="TEST-000", timeout=10)
        assert alert.has_button("🙋 Me encargo")
        pin = await contact.receives(timeout=10)
        assert pin.location == (19.4, -99.1)
    await ana.receives(containing=said("checkin.alert_sent", count=2), timeout=10)
    assert world.emulator.rate_limits
    assert world.emulator.too_many_requests == 0  # the sender kept under them by itself
