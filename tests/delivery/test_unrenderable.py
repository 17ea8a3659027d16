"""An outbox row that cannot be rendered (a kind this version does not read, fields that do
not fit) never fails silently: an alert still reaches the contact, as a plain alert in her
language; anything else fails as before; either way the log says which kind and what
error, and nothing of the row's content."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from telegram import Bot

from bot.core.context import Core
from bot.core.notifications import Priority
from bot.core.records import Member
from bot.delivery.outbox import OutboxSender, SenderSettings
from bot.delivery.pacing import Limits
from bot.emulator import EmulatedUser, Emulator
from bot.i18n import t
from storage.outbox import FAILED, PENDING, SENT
from tests.support.logscan import LogScan, scanning

ALIAS, DETAILS = "Marisol Quintero", "Hotel Miramar cuarto 31"
UNPACED = SenderSettings(
    limits=Limits(global_rate=10_000, chat_rate=10_000, chat_burst=10_000, group_rate=10_000)
)


@pytest.fixture
def scan(monkeypatch: pytest.MonkeyPatch) -> Iterator[LogScan]:
    with scanning(monkeypatch) as found:
        yield found


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    async with Emulator(rate_limits=False) as emu:
        yield emu


@pytest.fixture
async def sender(core: Core, emulator: Emulator) -> AsyncIterator[OutboxSender]:
    async with Bot(emulator.token, base_url=emulator.base_url) as bot:
        yield OutboxSender(core, bot, UNPACED)


async def contact(core: Core, emulator: Emulator, language: str) -> tuple[EmulatedUser, Member]:
    """Luz, a trusted contact, in the emulator and in the database."""
    user = emulator.user("luz")
    async with core.db.unit_of_work() as uow:
        member = await uow.members.add(user.id, language, "America/Lima", core.clock.now())
        await uow.commit()
    return user, member


async def queue(core: Core, member: Member, priority: Priority, payload: dict[str, Any]) -> None:
    """One row, as an older or newer version of the bot might have queued it."""
    async with core.db.unit_of_work() as uow:
        key = f"test:{time.monotonic_ns()}"
        await uow.outbox.add(key, member.id, int(priority), payload, core.clock.now())
        await uow.commit()


async def counts(core: Core) -> tuple[int, int, int]:
    async with core.db.unit_of_work() as uow:
        return (
            await uow.outbox.count(PENDING),
            await uow.outbox.count(SENT),
            await uow.outbox.count(FAILED),
        )


def texts(emulator: Emulator, user: EmulatedUser) -> list[str | None]:
    return [m.text for m in emulator.inbox(user.chat_id)]


def unrenderable(scan: LogScan) -> list[dict[str, Any]]:
    return [e for e in scan.capture.json_entries() if "outbox.unrenderable" in str(e)]


def nothing_of_the_row_in(scan: LogScan) -> None:
    for line in scan.capture.lines:
        assert ALIAS not in line and DETAILS not in line and "Marisol" not in line, line


@pytest.mark.parametrize("language", ["es", "en"])
async def test_an_alert_of_an_unknown_kind_reaches_the_contact_as_a_plain_alert(
    core: Core, emulator: Emulator, sender: OutboxSender, scan: LogScan, language: str
) -> None:
    user, luz = await contact(core, emulator, language)
    await queue(core, luz, Priority.ALERT, {"kind": "alert.v9", "params": {"details": DETAILS}})
    await sender.drain()
    assert texts(emulator, user) == [t(language, "alert.fallback")]
    assert emulator.inbox(user.chat_id)[0].protect_content
    assert await counts(core) == (0, 1, 0)
    (logged,) = unrenderable(scan)
    assert "alert.v9" in str(logged) and "UnknownKind" in str(logged)
    nothing_of_the_row_in(scan)


async def test_an_alert_whose_fields_do_not_fit_goes_out_plain_with_her_name(
    core: Core, emulator: Emulator, sender: OutboxSender, scan: LogScan
) -> None:
    user, luz = await contact(core, emulator, "es")
    broken = {"checkin_id": "c1", "alias": ALIAS, "started_at": "ayer", "details": DETAILS}
    await queue(core, luz, Priority.SOS, {"kind": "alert", "params": broken})
    await sender.drain()
    assert texts(emulator, user) == [t("es", "alert.fallback.named", alias=ALIAS)]
    assert await counts(core) == (0, 1, 0)
    (logged,) = unrenderable(scan)
    assert "ValueError" in str(logged) or "KeyError" in str(logged)
    nothing_of_the_row_in(scan)


@pytest.mark.parametrize(
    ("kind", "priority"), [("panic", Priority.SOS), ("alert.v9", Priority.REMINDER)]
)
async def test_an_unknown_kind_is_an_alert_by_its_priority_or_its_name(
    core: Core, emulator: Emulator, sender: OutboxSender, kind: str, priority: Priority
) -> None:
    user, luz = await contact(core, emulator, "es")
    await queue(core, luz, priority, {"kind": kind})
    await sender.drain()
    assert texts(emulator, user) == [t("es", "alert.fallback")]


async def test_another_row_that_cannot_be_rendered_fails_and_is_logged(
    core: Core, emulator: Emulator, sender: OutboxSender, scan: LogScan
) -> None:
    user, luz = await contact(core, emulator, "es")
    await queue(core, luz, Priority.INTERACTIVE, {"kind": "poll", "params": {"q": DETAILS}})
    # A known kind that is no alert: "someone may need help" would be a false alarm.
    await queue(core, luz, Priority.ALERT, {"kind": "alert.resolved", "params": {}})
    await sender.drain()
    assert emulator.inbox(user.chat_id) == []
    assert await counts(core) == (0, 0, 2)
    assert len(unrenderable(scan)) == 2
    nothing_of_the_row_in(scan)
