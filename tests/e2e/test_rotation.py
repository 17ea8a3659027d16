"""After `companera rotate-key` the bot works on with the new key: a check-in started before
the rotation alerts her contact with its details, and she and newcomers go on using it."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.crypto import Keyring, new_key
from storage.database import Database, WrongKeyError, make_engine
from storage.rotation import rotate_master_key
from tests.e2e.conftest import GRACE, World, short_checkin
from tests.support.catalog import said

DETAILS = "Hotel Prueba hab 12, Nissan gris TEST-000"


async def rotate(world: World, tmp_path: Path) -> None:
    """Stop the bot, rotate its master key, and start it again with the new key."""
    await world.bot.stop()  # restart() below stops it again: a no-op
    old, new = world.master_key, new_key()
    engine = make_engine(world.database_url)
    try:
        report = await rotate_master_key(engine, old, new)
        assert (report.system_keys, report.members) == (1, 2)
        with pytest.raises(WrongKeyError):
            await Database(engine, Keyring(old)).open()
    finally:
        await engine.dispose()
    await world.restart(tmp_path, new)


async def test_a_checkin_started_before_the_rotation_alerts_after_it(
    world: World, tmp_path: Path
) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await short_checkin(ana, DETAILS)
    await ana.receives(containing=said("checkin.started"))

    await rotate(world, tmp_path)
    try:
        await world.advance(minutes=1, seconds=GRACE + 1)
        alert = await luz.receives(containing=said("alert.missed.title", alias="Ana"))
        assert DETAILS in (alert.text or "")
        await luz.press(alert, "🙋 Me encargo")
        await luz.receives(containing=said("alert.ack.thanks"))
        told = await ana.receives(containing=said("checkin.alert_sent", count=1))
        await ana.press(told, "✅ Estoy bien")
        await luz.receives(containing=said("alert.resolved", alias="Ana"))

        await ana.send("/checkin 30m")
        await ana.receives(containing=said("checkin.started"))
        (eva,) = await world.members("eva")  # a newcomer, her key wrapped by the new one
        await world.link(eva, ana)
        assert (await world.member(eva)).alias == "Eva"
    finally:
        await world.bot.stop()
