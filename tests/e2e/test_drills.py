"""/simulacro: she rehearses each alarm through the real flow, on a 1-minute timer with a
10-second grace; her contacts get the real alert marked as a drill (or nothing, and she sees
it in her report); a real alarm during a drill goes out real, unmarked, on time."""

from __future__ import annotations

import pytest

from bot.core.notifications import Alert, Priority
from bot.core.records import Alarm
from bot.emulator import EmulatedUser
from bot.i18n import t
from tests.e2e.conftest import World, set_pins
from tests.support.catalog import said

SAFE_PIN, DURESS_PIN = "482913", "735260"
PHRASE = "pistache azul marino"
BANNER = "🧪 SIMULACRO — no es real"


def first_line(text: str | None) -> str:
    return (text or "").split("\n", 1)[0]


async def start_drill(ana: EmulatedUser, kind: Alarm, private: bool) -> None:
    """/simulacro, the alarm, who receives it; the drill's check-in starts."""
    await ana.send("/simulacro")
    menu = await ana.receives(containing=said("drill.choose"))
    await ana.press(menu, t("es", f"drill.kind.{kind}"))
    audience = await ana.receives(containing=said("drill.audience"))
    choice = "drill.audience.private" if private else "drill.audience.contacts"
    await ana.press(audience, t("es", choice))
    await ana.receives(containing=said("checkin.started"))
    await ana.receives(containing=said(f"drill.started.{kind}"))


async def rehearse(world: World, ana: EmulatedUser, kind: Alarm) -> None:
    """She does what the alarm takes, as she would for real."""
    if kind == Alarm.MISSED:
        await world.advance(seconds=30)
        await ana.receives(containing="Tu tiempo termina")
        await world.advance(seconds=30)
        await ana.receives(containing="Se acabó tu tiempo")
        await world.advance(seconds=10)
        await ana.receives(containing="Avisé")
    elif kind == Alarm.SOS:
        await ana.send("/sos")
        assert (await ana.receives()).text == "Listo ✓"
    elif kind == Alarm.CODEWORD:
        await ana.send(PHRASE)
        await ana.receives()  # the reply she chose, as to any other text
    else:
        await ana.press(None, "✅ Estoy bien")
        await ana.receives(containing=said("pin.ask"))
        if kind == Alarm.DURESS:
            await ana.send(DURESS_PIN)
        else:
            for wrong in ("111111", "222222", "333333"):
                await ana.send(wrong)
                if wrong != "333333":
                    await ana.receives(containing="PIN")
        assert (await ana.receives()).text == t("es", "checkin.safe")


async def prepared(world: World, kind: Alarm) -> tuple[EmulatedUser, EmulatedUser]:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    if kind == Alarm.CODEWORD:
        await ana.send(f"/codeword {PHRASE}")
        await ana.receives(containing="Palabra clave guardada")
        await ana.receives(containing=said("codeword.choose_reply"))
    if kind in (Alarm.DURESS, Alarm.PIN_FAILED):
        await set_pins(ana, SAFE_PIN, DURESS_PIN)
    return ana, luz


TITLE = {
    Alarm.MISSED: "alert.missed.title",
    Alarm.SOS: "alert.sos.title",
    Alarm.CODEWORD: "alert.codeword.title",
    Alarm.DURESS: "alert.duress.title",
    Alarm.PIN_FAILED: "alert.pin_failed.title",
}


@pytest.mark.parametrize("kind", list(TITLE))
async def test_a_drill_reaches_her_contacts_marked_and_reports_who_answered(
    world: World, kind: Alarm
) -> None:
    ana, luz = await prepared(world, kind)
    await start_drill(ana, kind, private=False)
    await rehearse(world, ana, kind)
    alert = await luz.receives(containing=BANNER)
    assert first_line(alert.text) == BANNER
    assert said(TITLE[kind], alias="Ana") in (alert.text or "")
    assert alert.buttons() == ["✅ Recibido"] and alert.protect_content
    await luz.press(alert, "✅ Recibido")
    await luz.receives(containing=said("drill.received", alias="Ana"))
    await world.settle()
    if kind in (Alarm.CODEWORD, Alarm.DURESS, Alarm.PIN_FAILED):
        await ana.receives_nothing()  # a silent alarm: nothing telling until the report
    await world.advance(minutes=2)
    report = await ana.receives(containing=said("drill.report.title").split("{")[0])
    line = next(x for x in (report.text or "").splitlines() if x.startswith("• Luz: "))
    assert said("drill.report.received") in line and said("drill.report.answered_at") in line


@pytest.mark.parametrize("kind", list(TITLE))
async def test_a_private_drill_reaches_nobody_and_shows_her_the_alert(
    world: World, kind: Alarm
) -> None:
    ana, luz = await prepared(world, kind)
    await start_drill(ana, kind, private=True)
    await rehearse(world, ana, kind)
    await world.settle()
    await luz.receives_nothing()
    await world.advance(minutes=2)
    await ana.receives(containing=said("drill.report.private"))
    preview = await ana.receives(containing=BANNER)
    assert said(TITLE[kind], alias="Ana") in (preview.text or "")
    assert preview.buttons() == []
    await world.settle()
    await luz.receives_nothing()


async def test_the_report_names_a_contact_who_blocked_the_bot(world: World) -> None:
    ana, luz, eva = await world.members("ana", "luz", "eva")
    await world.link(ana, luz, eva)
    world.emulator.block(eva)
    await start_drill(ana, Alarm.SOS, private=False)
    await rehearse(world, ana, Alarm.SOS)
    await luz.receives(containing=BANNER)
    # The drill's alert to Eva was tried, and Telegram said she blocked the bot: as in
    # earnest, her chat says so at once (an SOS is not a silent alarm).
    await ana.receives(containing="No puedo escribirle a Eva")
    await world.advance(minutes=2)
    report = await ana.receives(containing=said("drill.report.title").split("{")[0])
    assert said("drill.report.unreachable", name="Eva") in (report.text or "")
    assert said("drill.report.silent", count=1) in (report.text or "")


async def test_a_real_sos_during_a_drill_goes_out_real_and_first(world: World) -> None:
    ana, luz = await prepared(world, Alarm.MISSED)
    await start_drill(ana, Alarm.MISSED, private=False)
    await ana.send("/sos")
    assert (await ana.receives()).text == "Listo ✓"
    alert = await luz.receives(containing="EMERGENCIA")
    assert first_line(alert.text) == said("alert.sos.title", alias="Ana")
    assert BANNER not in (alert.text or "") and alert.has_button("🙋 Me encargo")
    await world.advance(minutes=2)  # no drill alert, no report: the drill is over
    await luz.receives_nothing()
    await ana.receives_nothing()


async def test_her_duress_pin_during_an_sos_drill_goes_out_real(world: World) -> None:
    ana, luz = await prepared(world, Alarm.DURESS)
    await start_drill(ana, Alarm.SOS, private=True)
    await rehearse(world, ana, Alarm.DURESS)  # not the alarm she rehearses: real
    alert = await luz.receives(containing=said("alert.duress.title", alias="Ana"))
    assert BANNER not in (alert.text or "") and alert.has_button("🙋 Me encargo")


async def test_a_second_alarm_after_the_drill_went_off_is_real(world: World) -> None:
    ana, luz = await prepared(world, Alarm.SOS)
    await start_drill(ana, Alarm.SOS, private=False)
    await rehearse(world, ana, Alarm.SOS)
    await luz.receives(containing=BANNER)
    await ana.send("/sos")
    await ana.receives()
    alert = await luz.receives(containing="EMERGENCIA")
    assert BANNER not in (alert.text or "")


async def test_a_real_checkin_during_a_drill_ends_it_and_alerts_as_real(world: World) -> None:
    ana, luz = await prepared(world, Alarm.MISSED)
    await start_drill(ana, Alarm.MISSED, private=False)
    await ana.send("/checkin 30m")
    await ana.receives(containing=said("checkin.started"))
    await world.advance(minutes=2)  # the drill's deadline has passed: nothing of it
    await world.settle()
    await luz.receives_nothing()
    await world.advance(minutes=40)
    alert = await luz.receives(containing=said("alert.missed.title", alias="Ana"))
    assert BANNER not in (alert.text or "") and alert.has_button("🙋 Me encargo")


def test_drill_alerts_never_take_a_real_alerts_place_or_turn() -> None:
    """A drill's alert goes after every real alert, SOS and reminder, and its key is never
    the key of a real round raised in the same second (it would be taken as sent)."""
    from datetime import UTC, datetime

    now = datetime(2026, 1, 1, tzinfo=UTC)
    for alarm in TITLE:
        real = Alert(
            "c",
            checkin_id="k",
            alias="",
            started_at=now,
            deadline=now,
            link_id="l",
            alarm=alarm,
            raised_at=now,
        )
        drill = Alert(
            "c",
            checkin_id="k",
            alias="",
            started_at=now,
            deadline=now,
            link_id="l",
            alarm=alarm,
            raised_at=now,
            drill=True,
        )
        assert drill.priority > real.priority and drill.priority > Priority.REMINDER
        assert drill.idempotency_key != real.idempotency_key


@pytest.mark.parametrize("discreet", [False, True], ids=["plain", "discreet"])
async def test_a_duress_drill_leaves_her_chat_as_a_real_duress_pin_would(
    world: World, discreet: bool
) -> None:
    """Her chat while she rehearses shows what it would in earnest: the same transcript
    (texts, buttons, deletions) after "I'm safe" and the duress PIN, on a drill's check-in
    and on a real one of the same length."""
    from tests.e2e.test_silent_transcripts import act, described, transcript, worker

    runs = []
    for name, drill in (("ana", True), ("bea", False)):
        her = await worker(world, name, discreet=discreet, pins=True)
        if drill:
            await act(world, her, "/simulacro")
            await her.user.press(None, t("es", "drill.kind.duress" + ".discreet" * discreet))
            await world.settle()
            await her.user.press(None, t("es", "drill.audience.private"))
        else:
            await act(world, her, "/checkin 1m")
            await her.user.press(None, t("es", "button.duration_yes"))
        await world.settle()
        mark = len(world.emulator.history(her.user.chat_id))
        await act(world, her, "/safe", DURESS_PIN)
        runs.append(transcript(world, her, mark))
    assert described(runs[0]) == described(runs[1])
