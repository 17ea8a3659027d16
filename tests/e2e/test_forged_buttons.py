"""Forged button data: anyone can send any callback data (up to 64 bytes) with a modified
client. Arbitrary data, and mutations of the real buttons (their tokens kept, the rest
changed), pressed by a worker, her contact and a coordinator, get a kind answer and never
make a handler raise."""

from __future__ import annotations

import asyncio
import itertools
import logging

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.emulator import EmulatedUser
from tests.e2e.conftest import GRACE, World, short_checkin
from tests.e2e.peers import CDMX, add_member, coordinator, write_warning
from tests.e2e.test_button_data import shown_data
from tests.support.catalog import said

ODD = [
    *("²", "٣", "9" * 30, str(2**63), str(2**64 + 1), "-1", "0", "", " 1", "1e9", "1_0"),
    *("0x1f", "NaN", "A" * 22, "-" * 22, "%00", "\x00", "𝟙𝟚", "ck", ":", "::"),
]
FIELD = st.one_of(
    st.sampled_from(ODD),
    st.from_regex(r"[0-9]{1,30}", fullmatch=True),
    st.text(max_size=24),
)


def mutated(data: str, at: int, value: str) -> str:
    """A real button's data with one field replaced (or one more added)."""
    parts = data.split(":")
    i = 1 + at % len(parts)
    return ":".join([*parts[:i], value, *parts[i + 1 :]])


WORST = ["²", "9" * 30, "", "A" * 22, "-1"]


def sweep(real: list[str]) -> list[tuple[str, int, str]]:
    """One button of each shape (prefix, action, number of fields), each field in turn
    replaced by each of the worst values."""
    shapes: dict[tuple[str, str, int], str] = {}
    for data in real:
        parts = data.split(":")
        shapes.setdefault((parts[0], parts[1] if len(parts) > 1 else "", len(parts)), data)
    return [
        (data, at, value)
        for data in shapes.values()
        for at in range(len(data.split(":")) - 1)
        for value in WORST
    ]


def button_data(prefixes: list[str], real: list[str]) -> st.SearchStrategy[str]:
    made = st.builds(
        lambda prefix, fields: ":".join([prefix, *fields]),
        st.sampled_from(prefixes),
        st.lists(FIELD, max_size=4),
    )
    changed = st.builds(mutated, st.sampled_from(real), st.integers(0, 8), FIELD)
    appended = st.builds(lambda data, more: f"{data}:{more}", st.sampled_from(real), FIELD)
    return st.one_of(st.text(max_size=64), made, changed, appended, st.sampled_from(real))


class Failures(logging.Handler):
    """The error handler's "update.failed" lines (bot/telegram/errors.py)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


async def scene(world: World) -> list[EmulatedUser]:
    """A worker with a contact, a check-in whose alert went out, and a network whose
    coordinator has a warning to review: buttons of every kind, with real tokens."""
    ana, luz, bea = people = await world.members("ana", "luz", "bea")
    await world.link(ana, luz)
    await coordinator(world, bea, "Red Forjada Prueba", CDMX)
    await add_member(bea, ana)
    await bea.send("/network")
    await bea.receives(containing="Red Forjada Prueba")
    await bea.send("/remove")
    await bea.receives(containing="Integrantes")
    await ana.press(await write_warning(ana, text="Aviso forjado de prueba"), "📣 Enviar")
    await world.settle()
    await bea.send("/pending")
    await bea.receives(containing="Aviso forjado de prueba")
    await ana.send("/contacts")
    await luz.send("/contacts")
    await ana.send("/forget")
    await short_checkin(ana, "Hotel Forjado 7")
    await ana.receives(containing=said("checkin.started"))
    await world.advance(minutes=1, seconds=GRACE + 1)
    await luz.receives(containing="Hotel Forjado 7")
    await world.settle()
    return people


async def test_forged_button_data_gets_a_kind_answer_and_raises_nothing(world: World) -> None:
    people = await scene(world)
    application = world.bot.application
    prefixes = sorted(
        handler.pattern.pattern.strip("^:")  # type: ignore[union-attr]
        for handler in application.handlers[0]
        if isinstance(handler, CallbackQueryHandler)
    )
    assert len(prefixes) >= 15
    real = sorted(shown_data(world, people))
    assert any(data.startswith("ck:ext:") for data in real)
    failures = Failures()
    logging.getLogger("companera.telegram").addHandler(failures)
    loop = asyncio.get_running_loop()
    update_ids = itertools.count(10**12)

    async def press(person: EmulatedUser, data: str) -> None:
        shown = [m for m in person.inbox() if m.reply_markup and not m.deleted]
        query = {
            "id": world.emulator.api.open_query(person.id),
            "from": person.as_telegram(),
            "chat_instance": str(-person.chat_id),
            "data": data,
        }
        if shown:
            query["message"] = world.emulator.chats.message_json(shown[-1])
        update = {"update_id": next(update_ids), "callback_query": query}
        await application.handle(Update.de_json(update, application.bot))

    @settings(
        max_examples=100,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(who=st.sampled_from(people), data=button_data(prefixes, real))
    def forged(who: EmulatedUser, data: str) -> None:
        failures.lines.clear()
        asyncio.run_coroutine_threadsafe(press(who, data), loop).result(timeout=60)
        assert not failures.lines, f"{data!r} made a handler fail: {failures.lines}"

    try:
        # Every field of one button of each shape, with each of the worst values...
        for person in people:
            for data, at, value in sweep(sorted(shown_data(world, [person], everyone=False))):
                await press(person, mutated(data, at, value))
                assert not failures.lines, f"{mutated(data, at, value)!r}: {failures.lines}"
        # ...then anything at all.
        await asyncio.to_thread(forged)
    finally:
        logging.getLogger("companera.telegram").removeHandler(failures)
    await world.settle()
    for person in people:
        assert not any(
            said("error.generic") in (m.text or "") for m in person.inbox()
        ), "someone was told that something failed"
