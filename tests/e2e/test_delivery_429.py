"""A sender set faster than Telegram allows gets 429s: it waits them out, per chat and in
all, and loses or repeats nothing."""

from __future__ import annotations

from collections import Counter

import pytest

from bot.core.announcements import announce
from bot.delivery.outbox import SenderSettings
from bot.delivery.pacing import Limits
from tests.e2e.conftest import World
from tests.e2e.test_delivery import NEWS, crowd, news
from tests.support.catalog import said


@pytest.fixture
def rate_limits() -> bool:
    return True


@pytest.fixture
def sender_settings() -> SenderSettings:
    """Twice Telegram's global limit and five times its per-chat one."""
    return SenderSettings(limits=Limits(global_rate=60.0, chat_rate=5.0, chat_burst=5.0))


async def test_429s_are_waited_out_and_nothing_is_lost_or_repeated(world: World) -> None:
    (ana,) = await world.members("ana")
    people = await crowd(world, 150)
    queued = await announce(world.bot.core, NEWS)
    for _ in range(10):  # a burst of replies to one chat, beside the broadcast
        await ana.send("/help")
    await world.emulator.wait_until(lambda: len(news(world)) == queued, timeout=60)
    for _ in range(10):
        await ana.receives(containing=said("help.text"), timeout=30)
    per_chat = Counter(m.chat_id for m in news(world))
    assert set(per_chat) == {p.chat_id for p in people} | {ana.chat_id}
    assert set(per_chat.values()) == {1}
    refused = world.emulator.too_many_requests
    assert refused > 0  # Telegram did tell it off
    assert refused < 60  # and it listened, instead of hammering
