"""Button data names no row of the database. Callback data stays in every Telegram client's
cache and on Telegram's servers: joined with a copy of the database (no key needed), an id
there would name her check-ins, her alarms, a warning's author. Every kind of button is
shown, and every callback data the emulator saw is searched for in every stored value."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import select

from bot.emulator import EmulatedUser
from storage.models import Base
from tests.e2e.conftest import GRACE, World, short_checkin
from tests.e2e.peers import CDMX, add_member, coordinator, follow, write_warning
from tests.e2e.record_steps import add_entry, turn_on
from tests.support.catalog import said

# Every kind of button that carries a reference, as "prefix:action" (ar: has no action).
EXPECTED = {
    *("iv:ok", "iv:no", "ct:rm", "ct:leave", "fg:yes"),
    *("ck:done", "ck:safe", "ck:ext", "so:sos", "so:ok", "al:ack", "al:loc"),
    *("nw:pass", "nw:list", "nw:leave", "nw:bye", "nw:tr", "nw:rm", "nw:rmok", "ar"),
    *("wn:me", "wn:flag", "mo:approve", "mo:trust", "mo:edit", "mo:reject", "mo:keep"),
    "mo:remove",
    *("rg:del", "rg:delok"),
}
ID = re.compile(r"[0-9a-f]{32}")


def shown_data(world: World, people: list[EmulatedUser], everyone: bool = True) -> set[str]:
    """Every callback data the bot put under a message, sent or edited (in these people's
    chats only, unless `everyone`)."""
    markups = [sent.reply_markup for sent in world.emulator.sent] if everyone else []
    for person in people:
        markups += [sent.reply_markup for sent in person.inbox()]
    for person in people:
        markups += [event.reply_markup for event in world.emulator.chats.history(person.chat_id)]
    return {
        str(button["callback_data"])
        for markup in markups
        if markup
        for row in markup.get("inline_keyboard", [])
        for button in row
        if button.get("callback_data")
    }


async def stored_values(world: World) -> list[str]:
    """Every value of every column of every table, as a copy shows it: text as it is, bytes
    in hex, numbers in decimal."""
    values: list[str] = []
    async with world.bot.core.db.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for row in await connection.execute(select(table)):
                values += list(as_text(row))
    return values


def as_text(row: object) -> Iterator[str]:
    for value in row:  # type: ignore[attr-defined]
        if isinstance(value, str):
            yield value.lower()
        elif isinstance(value, bytes | bytearray | memoryview):
            yield bytes(value).hex()
        elif isinstance(value, int) and not isinstance(value, bool):
            yield str(value)
        elif value is not None and not isinstance(value, datetime | float):
            yield str(value).lower()


def kind_of(data: str) -> str:
    prefix, _, rest = data.partition(":")
    return prefix if prefix == "ar" else f"{prefix}:{rest.split(':')[0]}"


def matches(data: str, values: list[str]) -> list[str]:
    """How a button's data joins the stored values, if it does."""
    found = []
    prefix, *fields = data.split(":")
    if prefix != "ar":  # the others' first field is the action: a word of the bot's own
        fields = fields[1:]
    parts = [data.lower(), *(f.lower() for f in fields if len(f) >= 6)]
    for value in values:
        found += [f"{part!r} in a stored value" for part in parts if part in value]
        if ID.fullmatch(value):
            windows = {value[i : i + 8] for i in range(len(value) - 7)}
            found += [f"8 characters of a row id in {data!r}" for w in windows if w in data]
    return found


async def test_no_button_data_names_a_row_of_the_database(world: World) -> None:
    ana, luz, eva, bea, cris = people = await world.members("ana", "luz", "eva", "bea", "cris")
    await world.link(ana, luz, eva)
    await ana.send("/contacts")  # ct:rm
    await ana.receives(containing="Luz")
    await luz.send("/contacts")  # ct:leave
    await luz.receives(containing="Ana")
    await short_checkin(cris)  # ck:done
    await cris.receives(containing=said("checkin.ask_details"))
    await short_checkin(ana, "Hotel Prueba 12")  # ck:safe, ck:ext, so:sos
    await ana.receives(containing=said("checkin.started"))
    await world.advance(minutes=1, seconds=GRACE + 1)
    alert = await luz.receives(containing="Hotel Prueba 12")  # al:ack, al:loc
    await luz.press(alert, alert.buttons()[0])
    await world.settle()
    await ana.send("/sos")  # so:ok
    await world.settle()
    await ana.send("/forget")  # fg:yes
    await world.settle()

    await coordinator(world, bea, "Red Botones Prueba", CDMX)  # ar
    await add_member(bea, cris)
    await add_member(bea, eva)
    await follow(cris, "Centro")
    await bea.send("/network")  # nw:list, nw:pass, nw:leave
    about = await bea.receives(containing="Red Botones Prueba")
    await bea.press(about, "Salir de la red")  # nw:bye
    await bea.receives(containing="Red Botones Prueba")
    await bea.press(about, "👥 Integrantes")  # nw:tr, nw:rm
    listing = await bea.receives(containing="Integrantes")
    await bea.press(listing, "Quitar")  # nw:rmok
    await bea.receives(containing="¿Quitarla de la red?")
    await eva.press(await write_warning(eva, text="Aviso de botones prueba"), "📣 Enviar")
    await world.settle()
    await bea.send("/pending")  # mo:approve, mo:trust, mo:edit, mo:reject
    await bea.press(await bea.receives(containing="Aviso de botones prueba"), "✅ Publicar")
    warning = await cris.receives(containing="Aviso de botones prueba")  # wn:me, wn:flag
    await cris.press(warning, "⚑ Es falso o abusivo")
    await world.settle()
    await bea.send("/pending")  # mo:keep, mo:remove
    await bea.receives(containing="Aviso de botones prueba")
    await world.settle()
    await turn_on(cris)  # her private record: rg:del, rg:delok
    await add_entry(cris, what="Entrada de botones prueba")
    await cris.send("/registro")
    await cris.press(await cris.receives(containing="Entrada de botones prueba"), "🗑 1")
    await cris.receives(containing="Entrada de botones prueba")
    await world.settle()

    shown = shown_data(world, people)
    assert EXPECTED <= {kind_of(data) for data in shown}, "a kind of button was not shown"
    assert all(len(data.encode()) <= 64 for data in shown), "Telegram takes 64 bytes at most"
    values = await stored_values(world)
    assert len(values) > 200
    joined = {data: found for data in sorted(shown) if (found := matches(data, values))}
    assert not joined, f"button data joins the database: {joined}"
