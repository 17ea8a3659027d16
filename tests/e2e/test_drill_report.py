"""A drill's report says when each contact received her alert (when Telegram took it from the
outbox, not when it was queued), who answered and when, and who could not be reached; it
waits for the deliveries that are still to go, so that it never guesses."""

from __future__ import annotations

from datetime import datetime

from bot.core.records import Alarm
from bot.core.timers import DRILL_REPORT_LATEST, DRILL_REPORT_RETRY
from bot.emulator import Fault
from bot.i18n import clock_time, t
from tests.e2e.conftest import World
from tests.e2e.test_drills import BANNER, start_drill
from tests.support.catalog import said


def line_of(text: str | None, name: str) -> str:
    return next(x for x in (text or "").splitlines() if x.startswith(f"• {name}: "))


async def test_the_report_waits_for_each_delivery_and_says_when_each_one_received_it(
    world: World,
) -> None:
    ana, luz, eva, sara = await world.members("ana", "luz", "eva", "sara")
    await world.link(ana, luz, eva, sara)
    zone = (await world.member(ana)).timezone

    def at(moment: datetime) -> str:
        return clock_time(moment, "es", zone)

    world.emulator.block(sara)
    # Telegram refuses Eva's messages for a while: her alert stays in the outbox.
    world.emulator.inject(
        Fault("server_error", method="sendMessage", chat_id=eva.chat_id, times=None)
    )
    await start_drill(ana, Alarm.SOS, private=False)
    await ana.send("/sos")
    done = await ana.receives(containing="Listo ✓")
    await luz.receives(containing=BANNER)
    luz_received = world.clock.now()  # the clock stands still until the test moves it
    await ana.receives(containing="No puedo escribirle a Sara")
    await world.settle()  # Luz's delivery recorded before the clock moves

    await world.advance(minutes=1)
    await luz.press(None, "✅ Recibido")
    await luz.receives(containing=said("drill.received", alias="Ana"))
    luz_answered = world.clock.now()
    await ana.press(done, "Todo bien")  # the drill ends: her report waits for Eva's alert
    await ana.receives()
    await world.advance(seconds=DRILL_REPORT_RETRY.total_seconds())
    await ana.receives_nothing()
    assert not [m for m in eva.inbox() if BANNER in (m.text or "")]

    world.emulator.clear_faults()
    await world.advance(minutes=1)
    alert = await eva.receives(containing=BANNER)
    eva_received = world.clock.now()
    await world.settle()
    await world.advance(seconds=DRILL_REPORT_RETRY.total_seconds())
    report = await ana.receives(containing=said("drill.report.title").split("{")[0])
    assert report.sent_at > alert.sent_at  # after the last delivery, not before
    text = report.text or ""
    assert len(text) < 700
    assert said("drill.report.reached", count=2).split("{")[0] in text
    luz_line = line_of(text, "Luz")
    assert t("es", "drill.report.received", at=at(luz_received)) in luz_line
    assert t("es", "drill.report.answered_at", at=at(luz_answered)) in luz_line
    eva_line = line_of(text, "Eva")
    assert at(eva_received) != at(luz_received)
    assert t("es", "drill.report.received", at=at(eva_received)) in eva_line
    assert t("es", "drill.report.no_answer") in eva_line
    assert said("drill.report.silent", count=1) in text
    assert said("drill.report.unreachable", name="Sara") in text  # what to fix
    await world.settle()
    await ana.receives_nothing()  # one report


async def test_an_alert_still_undelivered_at_the_latest_shows_a_dash(world: World) -> None:
    ana, luz, eva = await world.members("ana", "luz", "eva")
    await world.link(ana, luz, eva)
    world.emulator.inject(
        Fault("server_error", method="sendMessage", chat_id=eva.chat_id, times=None)
    )
    await start_drill(ana, Alarm.SOS, private=False)
    await ana.send("/sos")
    await ana.receives(containing="Listo ✓")
    await luz.receives(containing=BANNER)
    await world.settle()
    await world.advance(seconds=DRILL_REPORT_LATEST.total_seconds())
    report = await ana.receives(containing=said("drill.report.title").split("{")[0])
    eva_line = line_of(report.text, "Eva")
    assert t("es", "drill.report.not_received") in eva_line
    assert said("drill.report.undelivered", count=1) in (report.text or "")
    assert t("es", "drill.report.received").split("{")[0] in line_of(report.text, "Luz")
