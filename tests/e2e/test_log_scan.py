"""The log scan can fail: a secret logged on purpose is found; a real flow logs lines worth
scanning; an exception's message (which may carry parameters) never reaches a line."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from sqlalchemy import event

from bot.emulator import EmulatedUser, Emulator
from tests.e2e.conftest import GRACE, World, set_pins, short_checkin
from tests.support.catalog import said
from tests.support.logscan import LogScan, leaks

log = logging.getLogger("companera.test")
DETAILS = "Hotel Prueba Gardenia hab 4, placa TEST-5150"
CODEWORD = "Mango Celeste Prueba"


async def test_a_secret_logged_on_purpose_is_found(log_scan: LogScan) -> None:
    async with Emulator(rate_limits=False) as emulator:
        ana = emulator.user("anaprueba")
        await ana.send(f"/checkin 1h {DETAILS}")
        await ana.send("/check 55 9876 5432")
        await ana.send_contact("+52 55 1111 2222")
        await ana.send_location(19.4326, -99.1332)
        seen = len(log_scan.capture.lines)
        log.info("checkin.saved %s", DETAILS)
        log.info("checkin.saved", extra={"place": "Gardenia"})
        log.info("check.number", extra={"e164": "+525598765432"})
        log.info("contact.card", extra={"phone": "525511112222"})
        log.info("location", extra={"lat": 19.4326})
        log.info("hello %s", ana.first_name)
        log.info("update", extra={"user": ana.id})
        log.warning("token %s", emulator.token)  # redacted, as in production
        lines = log_scan.capture.lines[seen:]
        flagged = {line for _, line in log_scan.leaks()}
        del log_scan.capture.lines[seen:]  # so that this test's own teardown passes
    assert len(lines) == 2 * 8  # each record in JSON and in text
    assert [line for line in lines if line not in flagged] == lines[-2:]
    assert all("<redacted>" in line for line in lines[-2:])
    unrelated = ["an anaprueba1 likes bananas", "-199.43261"]
    assert not leaks(unrelated, ["ana", "Anaprueba", "19.4326"])


async def test_an_exception_is_logged_as_its_type_and_place_only(log_scan: LogScan) -> None:
    try:
        raise ValueError(f"(sqlite3.IntegrityError) [parameters: ('{DETAILS}',)]")
    except ValueError:
        log.exception("scheduler.error", extra={"seconds": 0.25})
    entry = log_scan.capture.json_entries()[-1]
    assert entry["event"] == "scheduler.error" and entry["seconds"] == 0.25
    assert entry["error"] == "ValueError" and entry["at"].startswith("test_log_scan.py:")
    assert not leaks(log_scan.capture.lines, [DETAILS, "IntegrityError", "parameters"])


async def test_a_real_flow_logs_lines_and_none_carries_a_secret(
    world: World, log_scan: LogScan
) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await ana.send(f"/codeword {CODEWORD}")
    await ana.press(
        await ana.receives(containing=said("codeword.choose_reply")), "Nada (no contestar)"
    )
    await short_checkin(ana, DETAILS)
    await ana.send_location(19.4326, -99.1332)
    await ana.receives(containing=said("checkin.location_saved"))
    await world.advance(minutes=1, seconds=GRACE + 1)
    await luz.receives(containing="TEST-5150")
    await ana.send(CODEWORD)
    await luz.receives(containing="palabra clave")
    await world.bot.stop()  # its last lines too ("stopped")
    events = [entry["event"] for entry in log_scan.capture.json_entries()]
    assert {"started", "checkin.step", "stopped"} <= set(events), events
    assert {CODEWORD, DETAILS, "19.4326", str(ana.id), "Ana"} <= set(log_scan.secrets())
    for line in log_scan.capture.lines:
        if line.startswith("{"):
            assert {"time", "level", "logger", "event"} <= json.loads(line).keys()


# Every alarm kind, as its value would be printed; "sos" also inside "silent_sos".
ALARM_WORD = re.compile(
    r"(?<![a-z])(missed|sos|codeword|code_word|duress|pin_failed|silent_sos)(?![a-z])", re.I
)
HEX = re.compile(r"^[0-9a-f]{16,}$")
SAFE_PIN, DURESS_PIN = "482913", "735260"


def record_ids(world: World) -> set[str]:
    """Every id the bot writes to or looks up in the database from now on: each hex string
    of 16 characters or more among the parameters of its statements (row ids, keys)."""
    seen: set[str] = set()

    def collect(value: object) -> None:
        if isinstance(value, str):
            if HEX.match(value):
                seen.add(value)
        elif isinstance(value, dict):
            for item in value.values():
                collect(item)
        elif isinstance(value, list | tuple):
            for item in value:
                collect(item)

    def on_execute(*args: Any) -> None:
        collect(args[3])  # conn, cursor, statement, parameters, context, executemany

    event.listen(world.bot.core.db.engine.sync_engine, "before_cursor_execute", on_execute)
    return seen


async def alerted(world: World, luz: EmulatedUser, kind: str, alias: str) -> None:
    await luz.receives(containing=said(f"alert.{kind}.title", alias=alias))
    await world.settle()


async def test_no_line_names_a_row_or_an_alarm_kind(world: World, log_scan: LogScan) -> None:
    """After alarms of every kind, a forget held by a duress alarm and a real one, no log line
    holds an id (or its first 8 characters) of anything the database held, nor the kind of
    an alarm: nothing in the logs can be joined with a copy of the database (issue 15)."""
    ids = record_ids(world)
    (luz,) = await world.members("luz")
    ana, bea, cris, dora, elia, fina = people = await world.members(
        "ana", "bea", "cris", "dora", "elia", "fina"
    )
    for person in people:
        await world.link(person, luz)
    await short_checkin(ana, "Hotel Registro Prueba")  # missed
    await ana.receives(containing=said("checkin.started"))
    await world.advance(minutes=1, seconds=GRACE + 1)
    await alerted(world, luz, "missed", "Ana")
    await bea.send("/sos")
    await alerted(world, luz, "sos", "Bea")
    await cris.send(f"/codeword {CODEWORD}")
    await cris.press(
        await cris.receives(containing=said("codeword.choose_reply")), "Nada (no contestar)"
    )
    await cris.receives(containing=said("codeword.reply_saved"))
    await cris.send(CODEWORD)
    await alerted(world, luz, "codeword", "Cris")
    for person in (dora, elia):
        await set_pins(person, SAFE_PIN, DURESS_PIN)
        await person.send("/checkin 1h")
        await person.receives(containing=said("checkin.started"))
        await person.send("/safe")
        await person.receives(containing=said("pin.ask"))
    await dora.send(DURESS_PIN)
    await alerted(world, luz, "duress", "Dora")
    for wrong in ("111111", "222222", "333333"):
        await elia.send(wrong)
        await world.settle()
    await alerted(world, luz, "pin_failed", "Elia")
    await fina.send("/discreet")
    await fina.press(
        await fina.receives(containing=said("discreet.is_off")), said("button.discreet_on")
    )
    await fina.receives(containing=said("discreet.saved_on"))
    await world.settle()
    await fina.send("/sos")
    await alerted(world, luz, "silent_sos", "Fina")
    for person in (dora, ana):  # held by her duress alarm; done
        await person.send("/forget")
        await person.press(
            await person.receives(containing=said("forget.confirm")), "Sí, borrar todo"
        )
        await world.settle()
    await world.advance(days=2)  # details expire, rows are purged
    await world.bot.stop()
    assert len(ids) > 30, len(ids)
    lines = log_scan.capture.lines
    assert any('"checkin.step"' in line for line in lines)
    prefixes = {ident[:8] for ident in ids}
    joined = [line for line in lines if any(prefix in line for prefix in prefixes)]
    assert not joined, f"{len(joined)} lines hold a database id's prefix: {joined[:3]}"
    kinds = [line for line in lines if ALARM_WORD.search(line)]
    assert not kinds, f"{len(kinds)} lines name an alarm kind: {kinds[:3]}"
