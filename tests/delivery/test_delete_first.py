"""A reply that deletes her message first (it carried details, a PIN or a code word), sent by
the real sender to the emulator: the reply says whether her message is gone, a deletion
that fails for a reason that may pass is retried with the reply, and a reply without a key
only deletes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from typing import Any

import pytest
from telegram import Bot

from bot.core.context import Core
from bot.core.notifications import Priority
from bot.core.records import Member
from bot.delivery.outbox import OutboxSender, SenderSettings
from bot.delivery.pacing import Limits
from bot.emulator import EmulatedUser, Emulator, Fault
from bot.emulator.limits import FaultKind
from bot.i18n import t
from storage.outbox import PENDING, SENT
from tests.support.clock import FakeClock
from tests.support.logscan import describe, scanning

DETAILS = "Hotel Real cuarto 12, gris P-123ABC"
DELETED, KEPT = "checkin.details_saved_deleted", "checkin.details_saved_kept"
UNPACED = SenderSettings(
    limits=Limits(global_rate=10_000, chat_rate=10_000, chat_burst=10_000, group_rate=10_000)
)


@pytest.fixture(autouse=True)
def no_leaks(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Nothing she typed, nor who she is, reaches a log line."""
    with scanning(monkeypatch) as scan:
        yield
    found = scan.leaks()
    if found:
        pytest.fail(describe(found))


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    async with Emulator(rate_limits=False) as emu:
        yield emu


@pytest.fixture
async def bot(emulator: Emulator) -> AsyncIterator[Bot]:
    async with Bot(emulator.token, base_url=emulator.base_url) as client:
        yield client


@pytest.fixture
def sender(core: Core, bot: Bot) -> OutboxSender:
    return OutboxSender(core, bot, UNPACED)


@pytest.fixture
async def ana(core: Core, emulator: Emulator) -> tuple[EmulatedUser, Member]:
    """Ana, in the emulator and in the database."""
    user = emulator.user("ana")
    async with core.db.unit_of_work() as uow:
        member = await uow.members.add(user.id, "es", "America/Mexico_City", core.clock.now())
        await uow.commit()
    return user, member


async def queue_reply(core: Core, member: Member, **fields: Any) -> None:
    """One reply row, as a handler queues it."""
    params = {"params": {}, "markup": None, "protect": False, **fields}
    async with core.db.unit_of_work() as uow:
        await uow.outbox.add(
            f"reply:{len(str(fields))}:{time.monotonic_ns()}",
            member.id,
            int(Priority.INTERACTIVE),
            {"kind": "reply", "params": params},
            core.clock.now(),
        )
        await uow.commit()


async def her_details(user: EmulatedUser) -> int:
    """She sends her details; the id of her message in her chat."""
    message = await user.send(DETAILS)
    return int(message["message_id"])


async def counts(core: Core) -> tuple[int, int]:
    async with core.db.unit_of_work() as uow:
        return await uow.outbox.count(PENDING), await uow.outbox.count(SENT)


async def retry_planned(core: Core, timeout: float = 5.0) -> None:
    """Wait until a row is held back for a later attempt."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        async with core.db.unit_of_work() as uow:
            if await uow.outbox.next_due(core.clock.now()) is not None:
                return
        await asyncio.sleep(0.05)
    raise AssertionError("no retry was planned")


def texts(emulator: Emulator, user: EmulatedUser) -> list[str | None]:
    return [m.text for m in emulator.inbox(user.chat_id)]


async def test_her_message_is_deleted_and_the_reply_says_so(
    core: Core, emulator: Emulator, sender: OutboxSender, ana: tuple[EmulatedUser, Member]
) -> None:
    user, member = ana
    mine = await her_details(user)
    await queue_reply(core, member, key=DELETED, key_if_kept=KEPT, delete_first=mine)
    await sender.drain()
    assert emulator.is_deleted(user.chat_id, mine)
    assert texts(emulator, user) == [t("es", DELETED)]
    assert sender.sent == 1 and await counts(core) == (0, 1)


@pytest.mark.parametrize("refusal", ["cant_delete", "blocked"])
async def test_a_refused_deletion_keeps_her_message_and_the_reply_says_so(
    core: Core,
    emulator: Emulator,
    sender: OutboxSender,
    ana: tuple[EmulatedUser, Member],
    refusal: FaultKind,
) -> None:
    user, member = ana
    mine = await her_details(user)
    emulator.inject(Fault(refusal, method="deleteMessage", chat_id=user.chat_id))
    await queue_reply(core, member, key=DELETED, key_if_kept=KEPT, delete_first=mine)
    await sender.drain()
    assert not emulator.is_deleted(user.chat_id, mine)
    assert texts(emulator, user) == [t("es", KEPT)]
    assert await counts(core) == (0, 1)


async def test_a_refused_deletion_without_a_kept_key_says_the_key(
    core: Core, emulator: Emulator, sender: OutboxSender, ana: tuple[EmulatedUser, Member]
) -> None:
    user, member = ana
    mine = await her_details(user)
    emulator.inject(Fault("cant_delete", method="deleteMessage"))
    await queue_reply(core, member, key="pin.saved", delete_first=mine)
    await sender.drain()
    assert texts(emulator, user) == [t("es", "pin.saved")]


async def test_a_message_she_deleted_herself_counts_as_deleted(
    core: Core, emulator: Emulator, sender: OutboxSender, ana: tuple[EmulatedUser, Member]
) -> None:
    user, member = ana
    mine = await her_details(user)
    emulator.chats.delete(user.chat_id, mine)  # "message to delete not found"
    await queue_reply(core, member, key=DELETED, key_if_kept=KEPT, delete_first=mine)
    await sender.drain()
    assert texts(emulator, user) == [t("es", DELETED)]


async def test_a_reply_without_a_key_only_deletes(
    core: Core, emulator: Emulator, sender: OutboxSender, ana: tuple[EmulatedUser, Member]
) -> None:
    user, member = ana
    mine = await her_details(user)
    await queue_reply(core, member, delete_first=mine)
    await sender.drain()
    assert emulator.is_deleted(user.chat_id, mine)
    assert emulator.inbox(user.chat_id) == [] and emulator.requests["sendMessage"] == 0
    assert sender.sent == 0  # nothing was sent: not counted as a message
    assert await counts(core) == (0, 1)  # but the row is done


async def test_a_deletion_that_fails_for_now_is_retried_with_its_reply(
    core: Core,
    clock: FakeClock,
    emulator: Emulator,
    sender: OutboxSender,
    ana: tuple[EmulatedUser, Member],
) -> None:
    user, member = ana
    mine = await her_details(user)
    emulator.inject(Fault("server_error", method="deleteMessage"))
    await queue_reply(core, member, key=DELETED, key_if_kept=KEPT, delete_first=mine)
    await sender.drain()
    await retry_planned(core)  # the probe finds Telegram well: the row waits a backoff
    assert emulator.inbox(user.chat_id) == [] and not emulator.is_deleted(user.chat_id, mine)
    assert await counts(core) == (1, 0)

    await clock.advance(minutes=1)
    await sender.drain()
    assert emulator.is_deleted(user.chat_id, mine)
    assert texts(emulator, user) == [t("es", DELETED)]
    assert emulator.requests["deleteMessage"] == 2


async def test_the_kept_wording_is_discreet_for_a_discreet_member(
    core: Core, emulator: Emulator, sender: OutboxSender, ana: tuple[EmulatedUser, Member]
) -> None:
    user, member = ana
    async with core.db.unit_of_work() as uow:
        await uow.members.save(replace(member, discreet=True))
        await uow.commit()
    mine = await her_details(user)
    emulator.inject(Fault("cant_delete", method="deleteMessage"))
    await queue_reply(core, member, key=DELETED, key_if_kept=KEPT, delete_first=mine)
    await sender.drain()
    assert texts(emulator, user) == [t("es", KEPT + ".discreet")]
    assert t("es", KEPT + ".discreet") != t("es", KEPT)


async def test_deleting_her_message_is_not_paced_as_a_message(
    core: Core, bot: Bot, emulator: Emulator, ana: tuple[EmulatedUser, Member]
) -> None:
    """Telegram's one-message-a-second in a chat counts messages, not deletions: with one
    token in her chat and the next one 100 s away, the reply still goes right after the
    deletion (were the deletion paced, the drain would end with the reply still queued)."""
    user, member = ana
    paced = SenderSettings(limits=Limits(global_rate=10_000, chat_rate=0.01, chat_burst=1.0))
    sender = OutboxSender(core, bot, paced)
    mine = await her_details(user)
    await queue_reply(core, member, key=DELETED, key_if_kept=KEPT, delete_first=mine)
    await sender.drain()
    assert texts(emulator, user) == [t("es", DELETED)]
    assert emulator.is_deleted(user.chat_id, mine)
