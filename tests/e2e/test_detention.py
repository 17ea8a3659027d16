"""/detenida: the police detain or hold her. Her contacts read what her network's `legal:`
section says to do (else: her organisation or a lawyer, never the police); her networks'
coordinators who chose to be legal support are told with her alias only; her chat shows what
/sos shows (in discreet mode, an unknown command)."""

from __future__ import annotations

from bot.core.network_config import parse_config
from bot.core.networks import PassCreated, coordinator_pass, show_code, update_network
from bot.emulator import EmulatedUser
from bot.i18n import t, wording
from tests.e2e.conftest import World
from tests.e2e.peers import CDMX, add_member, coordinator
from tests.support.catalog import said
from tests.support.units import committed

POLICE = ("emergencias", "policía al", "911", "patrulla", "emergency services")
DETAILS = "Hotel Prueba hab 9, Nissan gris TEST-0000"
LEGAL_CONTACT = "Abogadas Prueba, 55 0000 1111"
RIGHTS_ES = "Tienes derecho a una llamada y a no firmar nada sin abogada."
RIGHTS_EN = "You have the right to a phone call and to sign nothing without a lawyer."
WITH_LEGAL = (
    CDMX
    + f"""
alerts:
  advice: "Llama a Casa Prueba."
  emergency_number: "911"
legal:
  contact: "{LEGAL_CONTACT}"
  hours: "las 24 horas"
  rights:
    es: "{RIGHTS_ES}"
    en: "{RIGHTS_EN}"
"""
)


def without_police(text: str) -> bool:
    """No step sends anyone to the police (the words "no llames a la policía" aside)."""
    lowered = text.lower()
    return not any(word in lowered for word in POLICE)


async def second_coordinator(world: World, user: EmulatedUser, name: str) -> None:
    created = await committed(world.bot.core, coordinator_pass, name)
    assert isinstance(created, PassCreated)
    await user.send(f"/join {show_code(created.code)}")
    await user.receives(containing="Ahora coordinas")
    await user.receives(containing="Zonas de")
    await user.receives(containing="ubicación")


async def be_legal_support(user: EmulatedUser) -> None:
    await user.send("/legal")
    off = await user.receives(containing=said("legal.is_off"))
    await user.press(off, t("es", "button.legal_on"))
    await user.receives(containing=said("legal.is_on"))


async def test_with_a_network_contacts_read_its_legal_line_and_legal_support_is_told(
    world: World,
) -> None:
    rosa, sara, ana, luz = await world.members("rosa", "sara", "ana", "luz")
    (eva,) = await world.members("eva", language="en")
    await coordinator(world, rosa, "Red Prueba", WITH_LEGAL)
    await second_coordinator(world, sara, "Red Prueba")
    await add_member(rosa, ana)
    await be_legal_support(rosa)
    await world.link(ana, luz, eva)
    await ana.send(f"/cita 1h {DETAILS}")
    await ana.receives(containing=said("checkin.details_saved_deleted"))
    await ana.send_location(19.4326, -99.1332)
    await ana.receives(containing=said("checkin.location_saved"))

    await ana.send("/detenida")
    done = await ana.receives()
    assert done.text == t("es", "sos.sent")
    assert done.buttons() == ["Todo bien", t("es", "button.detained")]

    spanish = (await luz.receives(containing="DETENCIÓN")).text or ""
    assert spanish.split("\n", 1)[0] == said("alert.detained.title", alias="Ana")
    assert DETAILS in spanish and "Hora del aviso: 12:00" in spanish
    assert LEGAL_CONTACT in spanish and "las 24 horas" in spanish
    assert RIGHTS_ES in spanish and RIGHTS_EN not in spanish
    assert "Casa Prueba" not in spanish and without_police(spanish)  # no 911, not even hers
    assert (await luz.receives()).location == (19.4326, -99.1332)
    english = (await eva.receives(containing="DETENTION")).text or ""
    assert RIGHTS_EN in english and LEGAL_CONTACT in english and without_police(english)

    notice = (await rosa.receives(containing="DETENCIÓN")).text or ""
    assert notice.startswith(t("es", "alert.detention_notice", alias="Ana", network="Red Prueba"))
    assert LEGAL_CONTACT in notice and RIGHTS_ES in notice
    assert DETAILS not in notice and "Hotel" not in notice  # her alias only
    await world.settle()
    assert not [m for m in rosa.inbox() if m.location is not None]
    assert not [m for m in sara.inbox() if "Ana" in (m.text or "")]  # not legal support
    await ana.receives_nothing()  # her chat: what /sos shows, nothing more


async def test_the_button_under_an_sos_turns_it_into_a_detention(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await ana.send("/sos")
    done = await ana.receives(containing=t("es", "sos.sent"))
    await luz.receives(containing="EMERGENCIA")
    await ana.press(done, t("es", "button.detained"))
    again = await ana.receives()
    assert again.text == done.text and again.buttons() == done.buttons()
    alert = (await luz.receives(containing="DETENCIÓN")).text or ""
    assert said("alert.step.detained.neutral", alias="Ana") in alert
    await ana.press(again, "Todo bien")
    await ana.receives(containing="Les dije a tus contactos que estás bien")
    await luz.receives(containing=said("alert.resolved", alias="Ana"))


async def test_network_update_applies_a_new_legal_section(world: World) -> None:
    """What `companera network update` does: the next detention alarm reads the new line."""
    rosa, ana, luz = await world.members("rosa", "ana", "luz")
    await coordinator(world, rosa, "Red Prueba", CDMX)
    await add_member(rosa, ana)
    await world.link(ana, luz)
    await ana.send("/detenida")
    first = (await luz.receives(containing="DETENCIÓN")).text or ""
    assert LEGAL_CONTACT not in first and said("alert.step.detained.neutral", alias="Ana") in first
    await ana.press(await ana.receives(), "Todo bien")
    await luz.receives(containing=said("alert.resolved", alias="Ana"))
    await committed(world.bot.core, update_network, "Red Prueba", parse_config(WITH_LEGAL))
    await ana.send("/detenida")
    second = (await luz.receives(containing="DETENCIÓN")).text or ""
    assert LEGAL_CONTACT in second and RIGHTS_ES in second


async def test_without_a_network_the_neutral_text_names_no_police(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await ana.send("/detenida")
    assert (await ana.receives()).text == t("es", "sos.sent")
    alert = (await luz.receives(containing="DETENCIÓN")).text or ""
    assert said("alert.step.detained.neutral", alias="Ana") in alert
    assert without_police(alert)


async def test_his_form_of_address_and_the_english_name(world: World) -> None:
    leo, luz = await world.members("leo", "luz")
    await world.link(leo, luz)
    await leo.send("/address")
    await leo.press(await leo.receives(containing="?"), "Él")
    await leo.receives()
    await leo.send("/detained")
    await leo.receives(containing=t("es", "sos.sent"))
    alert = await luz.receives(containing="DETENCIÓN")
    assert (alert.text or "").startswith(said("alert.detained.title.he", alias="Leo"))


async def test_her_chat_shows_what_the_sos_shows(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    transcripts = []
    for command in ("/sos", "/detenida"):
        start = len(ana.inbox())
        await ana.send(command)
        done = await ana.receives()
        await luz.receives(containing="🆘" if command == "/sos" else "🚨")
        await ana.press(done, "Todo bien")
        await ana.receives(containing="Les dije a tus contactos que estás bien")
        await luz.receives(containing=said("alert.resolved", alias="Ana"))
        await world.settle()
        transcripts.append([(m.text, m.buttons()) for m in ana.inbox()[start:]])
    assert transcripts[0] == transcripts[1]


async def test_in_discreet_mode_her_chat_shows_an_unknown_command(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await ana.send("/discreet")
    await ana.press(await ana.receives(containing="palabras claras"), "Usar palabras discretas")
    await ana.receives(containing="desde ahora uso palabras discretas")
    await ana.send("/detenida")
    alert = await luz.receives(containing="DETENCIÓN")
    assert (alert.text or "").startswith(said("alert.silent_detained.title", alias="Ana"))
    assert said("alert.step.reach.watched") in (alert.text or "")
    answer = await ana.receives()
    assert answer.text == t("es", wording("es", "hint.unknown_command", True))
    await world.settle()
    await ana.receives_nothing()


async def test_legal_support_is_for_coordinators_only(world: World) -> None:
    (ana,) = await world.members("ana")
    await ana.send("/legal")
    await ana.receives(containing=t("es", "legal.not_coordinator"))
