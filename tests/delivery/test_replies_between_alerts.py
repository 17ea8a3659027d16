"""Replies between alerts (issue 18): during a flood of alerts, a member who writes is
answered after at most `reply_after` more urgent messages, not after the whole flood; the
replies take at most a tenth of the sends while alerts wait; a drill's alert, a notice or a
broadcast stays behind. The sender here sends one request at a time, so that the emulator
sees them in the order the sender chose."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from bot.core.context import Core
from bot.core.notifications import Priority, Reply
from bot.core.notifications.contacts import ContactRemoved
from bot.delivery.outbox import OutboxSender, SenderSettings
from bot.delivery.pacing import Limits
from bot.emulator import Emulator

ONE_AT_A_TIME = SenderSettings(
    limits=Limits(global_rate=10_000, chat_rate=10_000, chat_burst=10_000, group_rate=10_000),
    in_flight=1,
)
AFTER = ONE_AT_A_TIME.reply_after


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    async with Emulator(rate_limits=False) as emu:
        yield emu


@pytest.fixture
async def sender(core: Core, emulator: Emulator) -> AsyncIterator[OutboxSender]:
    async with Bot(emulator.token, base_url=emulator.base_url) as bot:
        yield OutboxSender(core, bot, ONE_AT_A_TIME)


async def member(core: Core, emulator: Emulator, name: str) -> tuple[int, str]:
    user = emulator.user(name)
    async with core.unit() as work:
        added = await work.members.add(user.chat_id, "es", "America/Lima", core.clock.now())
    return user.chat_id, added.id


async def flood(core: Core, emulator: Emulator, alerts: int, contacts: int = 20) -> set[int]:
    """`alerts` messages at alert priority, to `contacts` chats in turn (their chats)."""
    people = [await member(core, emulator, f"contacto{k}") for k in range(contacts)]
    async with core.unit() as work:
        for n in range(alerts):
            _, member_id = people[n % contacts]
            await work.notify(Reply(member_id, key="help.text", priority=Priority.ALERT))
    return {chat for chat, _ in people}


async def writes(core: Core, member_id: str, priority: Priority = Priority.INTERACTIVE) -> None:
    async with core.unit() as work:
        await work.notify(Reply(member_id, key="help.text", priority=priority))


async def test_a_reply_goes_between_the_alerts_of_a_flood(
    core: Core, emulator: Emulator, sender: OutboxSender
) -> None:
    alert_chats = await flood(core, emulator, 80)
    her, her_id = await member(core, emulator, "ana")
    await writes(core, her_id)  # queued after 80 alerts, more than a claim takes
    await sender.drain(timeout=120)
    chats = [message.chat_id for message in emulator.sent]
    assert len(chats) == 81
    assert chats.index(her) <= AFTER  # within the first reply_after + 1 sends
    assert chats.index(her) == AFTER  # ... and not before: alerts first, up to then
    assert set(chats) - {her} == alert_chats


async def test_replies_take_at_most_a_tenth_of_the_sends_while_alerts_wait(
    core: Core, emulator: Emulator, sender: OutboxSender
) -> None:
    await flood(core, emulator, 150)
    people = [await member(core, emulator, f"socia{k}") for k in range(12)]
    for _, member_id in people:
        await writes(core, member_id)  # twelve members write during the flood
    await sender.drain(timeout=120)
    chats = [message.chat_id for message in emulator.sent]
    replies = {chat for chat, _ in people}
    last_alert = max(i for i, chat in enumerate(chats) if chat not in replies)
    during = chats[: last_alert + 1]
    answered = sum(chat in replies for chat in during)
    assert answered >= 10  # they are answered during the flood, not after it
    assert answered <= len(during) // (AFTER + 1)  # alerts keep at least nine sends in ten
    # never more than one reply in any ten sends
    for start in range(len(during) - AFTER):
        assert sum(chat in replies for chat in during[start : start + AFTER + 1]) <= 1


async def test_a_notice_or_a_broadcast_stays_behind_the_flood(
    core: Core, emulator: Emulator, sender: OutboxSender
) -> None:
    """Only a reply to her update goes between alerts: a notice at the same priority (as a
    drill's alert is) and a broadcast wait for the flood to end."""
    await flood(core, emulator, 60)
    behind, behind_id = await member(core, emulator, "contacto-quitado")
    async with core.unit() as work:
        await work.notify(ContactRemoved(behind_id, alias="Luz", link_id="fake-link"))
    late, late_id = await member(core, emulator, "aviso")
    await writes(core, late_id, Priority.BROADCAST)
    await sender.drain(timeout=120)
    chats = [message.chat_id for message in emulator.sent]
    assert len(chats) == 62
    assert chats[-2:] == [behind, late]
