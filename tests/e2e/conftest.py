"""The world of an end-to-end test: the emulator, the real bot on a fresh database, and a
fake clock that only the test moves. A test never sleeps to let the bot act: it awaits what
the bot sends, or `world.settle()`s before asserting that nothing (more) happened."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import Companera
from bot.config import Settings
from bot.core.records import Member
from bot.delivery.outbox import SenderSettings
from bot.delivery.pacing import Limits
from bot.emulator import EmulatedUser, Emulator, SentMessage
from bot.i18n import t
from bot.telegram.checkins import length
from storage.crypto import new_key
from tests.support import settle
from tests.support.catalog import said, said_of_anyone
from tests.support.clock import FakeClock
from tests.support.db import fresh_database_url
from tests.support.logscan import LogScan, describe, scanning

GRACE = 300
LEAD = 600


@dataclass
class World:
    emulator: Emulator
    bot: Companera
    clock: FakeClock
    database_url: str
    master_key: bytes
    _reader: settle.Reader | None = field(default=None, repr=False)

    async def members(
        self, *names: str, language: str = "es", address: str = "she"
    ) -> list[EmulatedUser]:
        return await join(self.emulator, *names, language=language, address=address)

    async def link(self, worker: EmulatedUser, *contacts: EmulatedUser) -> None:
        await link(worker, *contacts)

    async def member(self, user: EmulatedUser) -> Member:
        """The stored member behind an emulated user."""
        async with self.bot.core.db.unit_of_work() as uow:
            member = await uow.members.find_by_telegram(user.id)
        assert member is not None
        return member

    async def advance(self, **delta: float) -> None:
        """Move the clock, then wait until the bot has done all that fell due
        (`world.clock.advance` moves it without waiting)."""
        await self.clock.advance(**delta)
        await self.settle()

    async def settle(self, timeout: float = settle.TIMEOUT) -> None:
        """Wait until the bot has done all it can at the clock's now: every update handled,
        every timer due taken, every message that may go sent (tests/support/settle.py).
        After it, "she receives nothing" is `receives_nothing()`, with no window."""
        if self._reader is None:
            self._reader = settle.Reader(self.database_url)
        probes = [
            settle.updates(self.emulator, self.bot.application),
            settle.database(
                self._reader,
                self.clock.now,
                self.emulator,
                self.clock,
                getattr(self.bot, "sender", None),
            ),
        ]
        await settle.settle(probes, timeout)

    async def close(self) -> None:
        if self._reader is not None:
            await self._reader.close()
            self._reader = None

    async def restart(self, data_dir: Path, master_key: bytes | None = None) -> None:
        """Stop the bot and start another on the same database (with a new key, if given)."""
        await self.bot.stop()
        if master_key is not None:
            self.master_key = master_key
        self.bot = Companera(
            make_settings(self.database_url, data_dir, self.emulator),
            self.master_key,
            clock=self.clock,
            poll_timeout=1,
            delivery=UNLIMITED,
        )
        await self.bot.start()


async def join(
    emulator: Emulator, *names: str, language: str = "es", address: str = "she"
) -> list[EmulatedUser]:
    """People who opened the bot, chose an alias (their name, capitalised) and a form of
    address (one tap: "she", "he" or "neutral")."""
    people = []
    for name in names:
        user = emulator.user(name, language_code=language)
        await user.send("/start")
        await user.receives(containing=said("start.ask_alias", language))
        alias = name.capitalize()
        await user.send(alias)
        ask = await user.receives(containing=said("start.ask_address", language, alias=alias))
        await user.press(ask, said(f"button.address.{address}", language))
        await user.receives(containing=said("start.ready", language))
        people.append(user)
    return people


async def link(worker: EmulatedUser, *contacts: EmulatedUser) -> None:
    """Each contact accepts an invitation from the worker (the label: their alias), and the
    worker, shown the account's own alias, confirms it is her contact."""
    alias, lang = worker.name.capitalize(), worker.language_code
    for contact in contacts:
        label, theirs = contact.name.capitalize(), contact.language_code
        await worker.send(f"/invite {label}")
        invitation = await worker.receives(containing=said("invite.created", lang))
        token = invitation.text.rsplit("start=", 1)[1].split()[0]
        await contact.send(f"/start {token}")
        offer = await contact.receives(
            containing=said_of_anyone("invite.offer", theirs, alias=alias)
        )
        await contact.press(offer, offer.buttons()[0])
        await contact.receives(containing=said("invite.waiting", theirs, alias=alias))
        asked = await worker.receives(
            containing=said_of_anyone("contacts.to_confirm", lang, label=label, alias=label)
        )
        await worker.press(asked, t(lang, "button.contact_yes"))
        await worker.receives(containing=said("contacts.confirmed_ok", lang, label=label))
        await contact.receives(containing=said("contacts.confirmed", theirs, alias=alias))


async def short_checkin(user: EmulatedUser, text: str = "", timeout: float = 5.0) -> None:
    """She starts a one-minute check-in (`/checkin 1m` and her details) and taps "✓ Sí"
    when asked whether she means it: under ten minutes is an unusual length."""
    lang = user.language_code
    question = said("duration.confirm", lang, duration=length(lang, timedelta(minutes=1)))
    await user.send(f"/checkin 1m {text}".strip())
    asked = await user.receives(containing=question, timeout=timeout)
    await user.press(asked, t(lang, "button.duration_yes"))


async def set_pins(user: EmulatedUser, safe: str, duress: str) -> None:
    """She sets her safety PIN and her duress PIN with /pin."""
    await user.send("/pin")
    await user.receives(containing=said("pin.ask_safe"))
    await user.send(safe)
    await user.receives(containing=said("pin.ask_duress"))
    await user.send(duress)
    await user.receives(containing=said("pin.saved"))


def make_settings(url: str, data_dir: Path, emulator: Emulator, **extra: object) -> Settings:
    values: dict[str, object] = {
        "TELEGRAM_BOT_TOKEN": emulator.token,
        "TELEGRAM_API_URL": emulator.base_url,
        "DATABASE_URL": url,
        "COMPANERA_DATA_DIR": data_dir,
        "CHECKIN_GRACE_SECONDS": GRACE,
        "REMINDER_LEAD_SECONDS": LEAD,
        "COMPANERA_DEFAULT_TIMEZONE": "America/Mexico_City",
    }
    values.update(extra)
    return Settings(**values)  # type: ignore[arg-type]


# With the emulator's limits off, the sender need not pace itself either: tests stay fast.
UNLIMITED = SenderSettings(
    limits=Limits(global_rate=10_000, chat_rate=10_000, chat_burst=10_000, group_rate=10_000)
)


@pytest.fixture(autouse=True)
def log_scan(monkeypatch: pytest.MonkeyPatch) -> Iterator[LogScan]:
    """Every log line of the test, as production renders it, must be free of what the test's
    users typed and who they are (tests/support/logscan.py says what is searched). The bots
    that test_durability.py runs in subprocesses log to DEVNULL: their lines are not seen."""
    with scanning(monkeypatch) as scan:
        yield scan
    found = scan.leaks()
    if found:
        pytest.fail(describe(found))


@pytest.fixture
def rate_limits() -> bool:
    """Telegram's limits are off unless a test asks for them (they make tests slow, not
    different: the sender keeps to them); test_rate_limits.py and the delivery tests turn
    them on, and then the sender paces itself as in production."""
    return False


@pytest.fixture
def sender_settings(rate_limits: bool) -> SenderSettings:
    """The sender as in production when the emulator enforces the limits, unpaced if not."""
    return SenderSettings() if rate_limits else UNLIMITED


@pytest.fixture
async def world(
    tmp_path: Path, clock: FakeClock, rate_limits: bool, sender_settings: SenderSettings
) -> AsyncIterator[World]:
    async with fresh_database_url(tmp_path) as url, Emulator(rate_limits=rate_limits) as emulator:
        key = new_key()
        bot = Companera(
            make_settings(url, tmp_path, emulator),
            key,
            clock=clock,
            poll_timeout=1,
            delivery=sender_settings,
        )
        await bot.start()
        world = World(emulator, bot, clock, url, key)
        try:
            yield world
        finally:
            await world.bot.stop()
            await world.close()


def last_with_buttons(user: EmulatedUser) -> SentMessage:
    return [m for m in user.inbox() if m.buttons()][-1]
