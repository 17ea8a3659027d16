"""The log scan can fail: a secret logged on purpose is found; a real flow logs lines worth
scanning; an exception's message (which may carry parameters) never reaches a line."""

from __future__ import annotations

import json
import logging

from bot.emulator import Emulator
from tests.e2e.conftest import GRACE, World, short_checkin
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
