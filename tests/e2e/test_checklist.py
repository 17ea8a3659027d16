"""The checklist before a date: off by default; turned on under the duration buttons of a bare
/cita, remembered; shown after a check-in started step by step, gone with one tap; never
with the one-message form; an organisation's own lines from its network's YAML."""

from __future__ import annotations

from bot.emulator import EmulatedUser
from bot.i18n import t
from tests.e2e.conftest import World
from tests.e2e.peers import CDMX, add_member, coordinator
from tests.support.catalog import said

LINES = [t("es", key) for key in ("checklist.exit", "checklist.cash", "checklist.battery")]
OWN = CDMX + """
checklist:
  es: ["¿Guardaste el número de la Colectiva Prueba?", "¿Le dijiste a una compañera?"]
  en: ["Saved Colectiva Prueba's number?"]
"""


def checklists(user: EmulatedUser) -> list[str]:
    return [m.text or "" for m in user.inbox() if said("checklist.lines") in (m.text or "")]


async def turn_on(user: EmulatedUser) -> None:
    await user.send("/cita")
    choose = await user.receives(containing=said("checkin.choose"))
    assert choose.buttons()[-1] == t("es", "button.checklist_is_off")
    await user.press(choose, t("es", "button.checklist_is_off"))
    await user.receives(containing=said("checklist.saved_on"))


async def test_off_by_default_then_on_shown_after_a_guided_start_and_gone_with_one_tap(
    world: World,
) -> None:
    (ana,) = await world.members("ana")
    await ana.send("/cita")
    choose = await ana.receives(containing=said("checkin.choose"))
    await ana.press(choose, t("es", "button.1h"))
    await ana.receives(containing=said("checkin.ask_details"))
    await world.settle()
    assert checklists(ana) == []  # off by default
    await ana.send("/bien")
    await ana.receives(containing=said("checkin.safe"))

    await turn_on(ana)
    await ana.send("1h")  # typed at the duration step of her /cita: still step by step
    await ana.receives(containing=said("checkin.ask_details"))
    shown = await ana.receives(containing=said("checklist.lines"))
    assert all(line in (shown.text or "") for line in LINES)
    await ana.press(shown, t("es", "button.checklist_done"))
    await world.settle()
    assert shown.deleted  # gone
    await ana.send("/bien")
    await ana.receives(containing=said("checkin.safe"))

    await ana.send("/cita")  # remembered, and its button says so
    choose = await ana.receives(containing=said("checkin.choose"))
    assert choose.buttons()[-1] == t("es", "button.checklist_is_on")
    await ana.press(choose, t("es", "button.30m"))
    await ana.receives(containing=said("checklist.lines"))


async def test_the_one_message_form_never_shows_it(world: World) -> None:
    (ana,) = await world.members("ana")
    await turn_on(ana)
    await ana.send("/cita 1h Hotel Sol Prueba")
    await ana.receives(containing=said("checkin.details_saved_deleted"))
    await ana.send("/bien")
    await ana.receives(containing=said("checkin.safe"))
    await ana.send("/cita 5m Hotel Sol Prueba")  # an unusual length, confirmed with a tap
    await ana.press(await ana.receives(containing="5 minutos"), t("es", "button.duration_yes"))
    await ana.receives(containing=said("checkin.details_saved_deleted"))
    await world.settle()
    assert checklists(ana) == []


async def test_she_can_turn_it_off_from_the_list(world: World) -> None:
    (ana,) = await world.members("ana")
    await turn_on(ana)
    await ana.send("30m")
    shown = await ana.receives(containing=said("checklist.lines"))
    await ana.press(shown, t("es", "button.checklist_never"))
    await ana.receives(containing=said("checklist.saved_off"))
    await ana.send("/bien")
    await ana.receives(containing=said("checkin.safe"))
    await ana.send("/cita")
    choose = await ana.receives(containing=said("checkin.choose"))
    assert choose.buttons()[-1] == t("es", "button.checklist_is_off")


async def test_an_organisation_writes_its_own_lines(world: World) -> None:
    rosa, ana = await world.members("rosa", "ana")
    (eva,) = await world.members("eva", language="en")
    await coordinator(world, rosa, "Red Prueba", OWN)
    await add_member(rosa, ana)
    await turn_on(ana)
    await ana.send("1h")
    shown = (await ana.receives(containing=said("checklist.lines"))).text or ""
    assert "Colectiva Prueba" in shown and "¿Le dijiste a una compañera?" in shown
    assert not any(line in shown for line in LINES)

    await eva.send("/checkin")  # no network: the catalog's lines, in her language
    choose = await eva.receives(containing=said("checkin.choose", "en"))
    await eva.press(choose, t("en", "button.checklist_is_off"))
    await eva.receives(containing=said("checklist.saved_on", "en"))
    await eva.send("1h")
    shown = (await eva.receives(containing=said("checklist.lines", "en"))).text or ""
    assert t("en", "checklist.battery") in shown
