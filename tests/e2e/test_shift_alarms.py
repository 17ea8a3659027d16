"""Every alarm reaches her shift partners (issue 16): an SOS, the silent ones, a detention, a
drill marked as one; her details only if she chose to share them with partners; the
partners' status never shows her free under a duress PIN, never counts a drill, drops a
member who used /forget; and a shift ends at its 12 hours, not at the next hourly sweep.

A silent alarm reaches her partners with the same discretion in her own chat: each one is
run twice in a shift of three, once raising the alarm and once not, and her chat's
transcript (her status message of the shift included) is the same."""

from __future__ import annotations

import pytest

from bot.core.records import Alarm
from bot.emulator import EmulatedUser
from bot.i18n import t
from tests.e2e.conftest import World, set_pins, short_checkin
from tests.e2e.test_drills import BANNER, prepared, rehearse, start_drill
from tests.e2e.test_shifts import rows, shift_link, shift_of_three, status_messages
from tests.e2e.test_silent_transcripts import (
    CASES,
    Case,
    Worker,
    act,
    afterwards,
    alerts,
    described,
    transcript,
    worker,
)
from tests.support.catalog import said

PARTNERS = ("Mar", "Sol")  # the same aliases in both runs: her status message names them


def texts(user: EmulatedUser) -> list[str]:
    return [m.text or "" for m in user.inbox()]


def got(user: EmulatedUser, key: str, **params: object) -> list[str]:
    wanted = said(key, **params)
    return [text for text in texts(user) if wanted in text]


async def partner(world: World, name: str, alias: str) -> EmulatedUser:
    """Someone who opened the bot and chose `alias` (whatever her account's name)."""
    user = world.emulator.user(name, language_code="es")
    await user.send("/start")
    await user.receives(containing=said("start.ask_alias"))
    await user.send(alias)
    ask = await user.receives(containing=said("start.ask_address", alias=alias))
    await user.press(ask, said("button.address.she"))
    await user.receives(containing=said("start.ready"))
    return user


async def in_a_shift(world: World, her: EmulatedUser, suffix: str) -> list[EmulatedUser]:
    """Her shift with two partners, Mar and Sol (a new pair of accounts for each run)."""
    partners = [await partner(world, f"{a.lower()}{suffix}", a) for a in PARTNERS]
    for user in partners:
        key = "shift.started" if user is partners[0] else "shift.link"
        token = await shift_link(world, her, key)
        await user.send(f"/start {token}")
        await world.settle()
        await user.press(None, said("button.shift_join"))
        await world.settle()
    return partners


SHIFT_CASES = [
    case
    for case in CASES
    if case.name
    in (
        "duress PIN",
        "code word",
        "three wrong PINs, discreet",
        "/sos, discreet",
        "/detenida, discreet",
    )
]
TITLES = {
    "duress PIN": "alert.duress.title",
    "code word": "alert.codeword.title",
    "three wrong PINs, discreet": "alert.pin_failed.title",
    "/sos, discreet": "alert.silent_sos.title",
    "/detenida, discreet": "alert.silent_detained.title",
}


@pytest.mark.parametrize("case", SHIFT_CASES, ids=lambda case: case.name)
async def test_a_silent_alarm_reaches_her_partners_and_her_chat_stays_the_same(
    world: World, case: Case
) -> None:
    runs: dict[str, tuple[Worker, list[EmulatedUser], int, list[object]]] = {}
    for name, actions in (("ana", case.alarm), ("bea", case.harmless)):
        her = await worker(
            world,
            name,
            discreet=case.discreet,
            pins=case.pins,
            codeword=case.codeword,
            language=case.language,
            detention=case.detention,
        )
        partners = await in_a_shift(world, her.user, name)
        await world.settle()
        mark = len(world.emulator.history(her.user.chat_id))
        await act(world, her, *case.before, *actions)
        raised = transcript(world, her, mark)
        await afterwards(world, her, case.pins)
        runs[name] = (her, partners, mark, raised)
    await world.settle()

    (ana, ana_partners, ana_mark, ana_alarm) = runs["ana"]
    (bea, bea_partners, bea_mark, bea_harmless) = runs["bea"]
    assert alerts(ana.contacts[0]), "the alarm went out"
    title = said(TITLES[case.name], alias="Ana").split("\n")[0]
    for someone in ana_partners:  # at once, in the real layout, with "Voy"
        (alert,) = [m for m in someone.inbox() if m.protect_content and title in (m.text or "")][
            :1
        ]
        assert said("alert.partner.close_by", alias="Ana") in (alert.text or "")
        assert alert.buttons() == [t("es", "button.shift_going")]
        assert "Hotel" not in (alert.text or "")  # she did not share her details
    for someone in bea_partners:
        assert not [m for m in someone.inbox() if m.protect_content], "no alarm"
    assert described(ana_alarm) == described(bea_harmless), "her chat right after the alarm"
    everything = transcript(world, ana, ana_mark), transcript(world, bea, bea_mark)
    assert described(everything[0]) == described(everything[1]), "her chat afterwards"


async def test_an_sos_reaches_her_partners_at_once_and_voy_tells_the_others(
    world: World,
) -> None:
    ana, luz, eva = await shift_of_three(world)
    (sol,) = await world.members("sol")
    await world.link(luz, sol)
    await luz.send("/sos")
    await world.settle()
    title = said("alert.sos.title", alias="Luz").split("\n")[0]
    for someone in (ana, eva, sol):
        assert got(someone, "alert.sos.title", alias="Luz") or [
            x for x in texts(someone) if title in x
        ]
    alert = [m for m in ana.inbox() if title in (m.text or "")][-1]
    assert alert.protect_content and alert.buttons() == [t("es", "button.shift_going")]
    await ana.press(alert, t("es", "button.shift_going"))
    await world.settle()
    going = said("shifts.going", partner="Ana", alias="Luz")
    assert got(eva, "shifts.going", partner="Ana", alias="Luz") and going in texts(sol)[-1]
    assert not [x for x in texts(luz) if going in x]  # not in her own chat
    # Partners reached once per round: the same round written again queues nothing.
    assert len([x for x in texts(eva) if title in x]) == 1


async def test_a_detention_reaches_her_partners(world: World) -> None:
    ana, luz, eva = await shift_of_three(world)
    (sol,) = await world.members("sol")
    await world.link(luz, sol)
    await luz.send("/detenida")
    await world.settle()
    title = said("alert.detained.title", alias="Luz").split("\n")[0]
    for someone in (ana, eva, sol):
        assert [x for x in texts(someone) if title in x], someone.name
    alert = [m for m in eva.inbox() if title in (m.text or "")][-1]
    assert alert.buttons() == [t("es", "button.shift_going")]


async def test_sharing_details_with_partners_changes_what_they_see(world: World) -> None:
    ana, luz, eva = await shift_of_three(world)
    await luz.send("/checkin 45m Motel Prueba hab 9")
    await world.settle()
    busy = got(ana, "shifts.busy", alias="Luz")
    assert busy and "Motel Prueba" not in busy[-1]  # off by default: her time only
    await luz.send("/sos")
    await world.settle()
    title = said("alert.sos.title", alias="Luz").split("\n")[0]
    (alert,) = [x for x in texts(eva) if title in x]
    assert "Motel Prueba" not in alert and said("alert.partner.not_shared", alias="Luz") in alert
    await luz.send("/bien")
    await world.settle()

    # She turns it on under /turno: remembered; partners now see her details.
    await luz.send("/turno")
    await world.settle()
    await luz.press(None, said("button.shift_share_is_off"))
    await luz.receives(containing=said("shift.share.saved_on"))
    await luz.send("/checkin 45m Motel Prueba hab 9")
    await world.settle()
    shared = got(ana, "shifts.busy", alias="Luz")[-1]
    assert said("shifts.shared_details", details="Motel Prueba hab 9") in shared
    await luz.send("/sos")
    await world.settle()
    alert = [x for x in texts(eva) if title in x][-1]
    assert "Motel Prueba hab 9" in alert
    assert said("alert.partner.not_shared", alias="Luz") not in alert

    # And off again.
    await luz.press(None, said("button.shift_share_is_on"))
    await luz.receives(containing=said("shift.share.saved_off"))
    member = await world.member(luz)
    assert member.share_partners is False


async def test_a_partners_missed_deadline_carries_her_details_only_when_shared(
    world: World,
) -> None:
    ana, luz, eva = await shift_of_three(world)
    await luz.send("/turno")
    await world.settle()
    await luz.press(None, said("button.shift_share_is_off"))
    await world.settle()
    await short_checkin(luz, "Motel Prueba")
    await world.settle()
    await world.advance(minutes=1)
    for someone in (ana, eva):
        told = got(someone, "shifts.overdue", alias="Luz")
        assert told and said("shifts.shared_details", details="Motel Prueba") in told[-1]


async def test_her_duress_pin_keeps_her_busy_in_her_partners_status(world: World) -> None:
    ana, luz, eva = await shift_of_three(world)
    (sol,) = await world.members("sol")
    await world.link(luz, sol)
    await set_pins(luz, "482913", "735260")
    await luz.send("/checkin 1h Motel Prueba")
    await world.settle()
    await luz.send("/bien")
    await luz.receives(containing=said("pin.ask"))
    await luz.send("735260")  # her duress PIN: to whoever watches, she checked in safe
    await luz.receives(containing=said("checkin.safe"))
    await world.settle()
    for someone in (ana, eva):
        (status,) = status_messages(someone)
        assert said("shifts.status.busy", alias="Luz").split("{")[0] in (status.text or "")
        assert said("shifts.status.free", alias="Luz") not in (status.text or "")
    (hers,) = status_messages(luz)  # her own says what the safety PIN would have shown
    assert said("shifts.status.free", alias="Luz") in (hers.text or "")


async def test_a_drill_is_no_client_in_the_status(world: World) -> None:
    ana, luz, eva = await shift_of_three(world)
    await start_drill(luz, Alarm.SOS, private=False)
    await eva.send("/checkin 45m Motel Prueba")  # a change: every status is written again
    await world.settle()
    (status,) = status_messages(ana)
    assert said("shifts.status.free", alias="Luz") in (status.text or "")
    assert not got(ana, "shifts.busy", alias="Luz")


async def test_a_drill_reaches_partners_marked_and_they_are_in_her_report(
    world: World,
) -> None:
    ana, luz = await prepared(world, Alarm.SOS)
    mar, sol = await in_a_shift(world, ana, "x")
    await start_drill(ana, Alarm.SOS, private=False)
    await rehearse(world, ana, Alarm.SOS)
    await world.settle()
    for someone in (luz, mar, sol):
        (alert,) = [m for m in someone.inbox() if BANNER in (m.text or "")]
        assert alert.text and alert.text.split("\n")[0] == BANNER
        assert alert.buttons() == ["✅ Recibido"]
    (mine,) = [m for m in mar.inbox() if BANNER in (m.text or "")]
    await mar.press(mine, "✅ Recibido")
    await mar.receives(containing=said("drill.received", alias="Ana"))
    await world.advance(minutes=2)
    report = [x for x in texts(ana) if said("drill.report.title").split("{")[0] in x][-1]
    assert "Mar" in report and "Sol" in report and "Luz" in report  # partners reached too
    lines = {x.split(":")[0]: x for x in report.splitlines() if x.startswith("• ")}
    assert said("drill.report.answered_at") in lines["• Mar"]  # Mar answered, Sol did not
    assert said("drill.report.no_answer") in lines["• Sol"]
    assert said("drill.report.received") in lines["• Sol"]  # her alert reached Sol


async def test_a_private_drill_reaches_no_partner(world: World) -> None:
    ana, luz = await prepared(world, Alarm.SOS)
    mar, sol = await in_a_shift(world, ana, "x")
    await start_drill(ana, Alarm.SOS, private=True)
    await rehearse(world, ana, Alarm.SOS)
    await world.advance(minutes=2)
    for someone in (luz, mar, sol):
        assert not [m for m in someone.inbox() if BANNER in (m.text or "")]
        assert not [m for m in someone.inbox() if m.protect_content]


async def test_a_real_alarm_during_a_drill_reaches_partners_as_real(world: World) -> None:
    ana, luz = await prepared(world, Alarm.CODEWORD)
    mar, sol = await in_a_shift(world, ana, "x")
    await start_drill(ana, Alarm.CODEWORD, private=False)
    await ana.send("/sos")  # not what she rehearses: real
    await world.settle()
    title = said("alert.sos.title", alias="Ana").split("\n")[0]
    for someone in (mar, sol):
        (alert,) = [m for m in someone.inbox() if title in (m.text or "")]
        assert BANNER not in (alert.text or "")
        assert alert.buttons() == [t("es", "button.shift_going")]
    assert [x for x in texts(luz) if title in x and BANNER not in x]  # her contact: real too


async def test_forget_during_a_shift_tells_her_partners_and_drops_her_from_the_status(
    world: World,
) -> None:
    ana, luz, eva = await shift_of_three(world)
    await world.settle()
    await luz.send("/forget")
    await luz.press(await luz.receives(containing=said("forget.confirm")), "Sí, borrar todo")
    await world.settle()
    for someone in (ana, eva):
        assert got(someone, "shifts.left", alias="Luz")
        (status,) = status_messages(someone)
        assert "Luz" not in (status.text or "")
    assert await rows(world) == {"shifts": 1, "shift_members": 2, "shift_passes": 0}


async def test_a_shift_ends_at_its_twelve_hours_not_at_the_next_sweep(world: World) -> None:
    ana, luz, eva = await shift_of_three(world)
    await world.advance(hours=11, minutes=59)  # the hourly sweep runs in between
    assert not got(ana, "shifts.ended")
    await world.advance(minutes=1, seconds=5)  # the next sweep is most of an hour away
    for someone in (ana, luz, eva):
        assert got(someone, "shifts.ended"), someone.name
    assert await rows(world) == {"shifts": 0, "shift_members": 0, "shift_passes": 0}
