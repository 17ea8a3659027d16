"""Shift status edits go last (issue 16's benchmark, tests/bench/bench_shifts.py): at many
deadlines at once, every partner's alert goes before any status edit, and so does her last
call, even when the edits of an earlier deadline were queued before it. The sender here
sends one request at a time, so that the emulator sees them in the order the sender chose."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta

import pytest
from telegram import Bot

from bot.core import shifts
from bot.core.context import Core
from bot.core.notifications import Priority
from bot.core.notifications.shifts import ShiftStatus
from bot.core.records import CheckIn, Stage, Status, new_id
from bot.core.scheduler import fire_due
from bot.delivery.outbox import OutboxSender, SenderSettings
from bot.delivery.pacing import Limits
from bot.emulator import Emulator
from tests.support.clock import FakeClock

ONE_AT_A_TIME = SenderSettings(
    limits=Limits(global_rate=10_000, chat_rate=10_000, chat_burst=10_000, group_rate=10_000),
    in_flight=1,
)


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    async with Emulator(rate_limits=False) as emu:
        yield emu


@pytest.fixture
async def sender(core: Core, emulator: Emulator) -> AsyncIterator[OutboxSender]:
    async with Bot(emulator.token, base_url=emulator.base_url) as bot:
        yield OutboxSender(core, bot, ONE_AT_A_TIME)


async def shift_of_three(core: Core, emulator: Emulator, name: str) -> tuple[list[int], str]:
    """A shift of three with aliases: their chat ids (hers first) and her member id."""
    now = core.clock.now()
    chats, ids = [], []
    async with core.unit() as work:
        shift = await work.shifts.add(now, now + shifts.SHIFT_LENGTH)
        for k in range(3):
            user = emulator.user(f"{name}{k}")
            member = await work.members.add(user.chat_id, "es", "America/Lima", now)
            await work.members.save(replace(member, alias=f"{name.title()} {k}"))
            await work.shifts.join(shift.id, member.id, now + timedelta(microseconds=k))
            chats.append(user.chat_id)
            ids.append(member.id)
        await shifts.refresh_status(work, shift.id)
    return chats, ids[0]


async def running(core: Core, member_id: str, minutes: int) -> None:
    """Her check-in, reminded already: her deadline is next."""
    now = core.clock.now()
    deadline = now + timedelta(minutes=minutes)
    async with core.unit() as work:
        await work.checkins.add(
            CheckIn(new_id(), member_id, Status.ACTIVE, Stage.REMINDED, now, deadline, deadline)
        )


def test_a_status_edit_is_the_least_urgent_of_all() -> None:
    assert ShiftStatus("x", "", edit=7).priority == max(Priority)
    # her first status message goes as a reminder does: there is soon one to edit
    assert ShiftStatus("x", "").priority == Priority.REMINDER


async def test_alerts_and_her_last_call_go_before_any_status_edit(
    core: Core, clock: FakeClock, emulator: Emulator, sender: OutboxSender
) -> None:
    first, ana = await shift_of_three(core, emulator, "ana")
    second, sol = await shift_of_three(core, emulator, "sol")
    await sender.drain()
    assert not emulator.edits and len(emulator.sent) == 6  # a status message each
    await running(core, ana, 1)
    await running(core, sol, 2)  # her deadline comes after Ana's: queued after their edits
    await clock.advance(minutes=3)
    assert await fire_due(core) == 2
    await sender.drain()
    edits = emulator.edits
    assert len(edits) == 6  # each of the six status messages, edited once
    first_edit = min(edit.at for edit in edits)
    sends = emulator.sent[6:]
    partners = {chat for chat in first[1:] + second[1:]}
    alerts = [m for m in sends if m.chat_id in partners]
    last_calls = [m for m in sends if m.chat_id in (first[0], second[0])]
    assert len(alerts) == 4 and len(last_calls) == 2
    assert all(m.sent_at < first_edit for m in alerts)
    assert all(m.sent_at < first_edit for m in last_calls)  # Sol's too: after Ana's edits
