"""What her contacts are told to do, end to end: her network's advice and emergency number
when its YAML has an `alerts:` section, else the deployment's (ALERT_ADVICE), else the
catalog's, which sends nobody to the police; each contact reads it in their own language."""

from __future__ import annotations

import json
from pathlib import Path

from bot.app import Companera
from bot.emulator import EmulatedUser
from tests.e2e.conftest import UNLIMITED, World, make_settings
from tests.e2e.peers import CDMX, MIXCO, coordinator
from tests.support.catalog import said

POLICE = ("emergencias", "policía", "911", "emergency services", "police")
ADVICE_ES = "Llama a Casa Prueba al 55 0000 0000, de día y de noche."
ADVICE_EN = "Call Casa Prueba on +52 55 0000 0000, day and night."
WITH_ADVICE = (
    CDMX
    + f"""
alerts:
  advice:
    es: "{ADVICE_ES}"
    en: "{ADVICE_EN}"
  emergency_number: "911"
"""
)


async def sos(worker: EmulatedUser, *contacts: EmulatedUser) -> list[str]:
    """She raises an SOS, reads each contact's alert, then ends it with "Todo bien"."""
    await worker.send("/sos")
    done = await worker.receives(containing="Listo")
    texts = [(await contact.receives(containing="🆘")).text or "" for contact in contacts]
    await worker.press(done, done.buttons()[0])
    for contact in contacts:
        await contact.receives(containing="✅")
    return texts


async def test_her_networks_advice_and_number_reach_each_contact_in_their_language(
    world: World,
) -> None:
    ana, luz = await world.members("ana", "luz")
    (eva,) = await world.members("eva", language="en")
    await world.link(ana, luz, eva)
    await coordinator(world, ana, "Red Prueba", WITH_ADVICE)
    spanish, english = await sos(ana, luz, eva)
    assert ADVICE_ES in spanish and ADVICE_EN not in spanish
    assert said("alert.step.emergency", "es", alias="Ana", number="911") in spanish
    assert ADVICE_EN in english and ADVICE_ES not in english
    assert said("alert.step.emergency", "en", alias="Ana", number="911") in english


async def test_without_configuration_no_alert_names_the_police(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    texts = await sos(ana, luz)
    await ana.send("/checkin 30m")  # an SOS without a check-in: no place to send anyone to
    await ana.receives(containing="12:30")
    await world.advance(minutes=40)
    texts.append((await luz.receives(containing="🚨")).text or "")
    for text in texts:
        assert not [word for word in POLICE if word in text.lower()], text
        assert said("alert.step.advice", "es", alias="Ana") in text
        assert "lugar de los detalles" not in text and "Última ubicación" not in text


async def test_the_first_of_her_networks_with_advice_is_the_one(world: World) -> None:
    """A network without an `alerts:` section gives way to the next she joined."""
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await coordinator(world, ana, "Red Sin Consejo", MIXCO.replace("Mixco", "Zona Mixco"))
    await coordinator(world, ana, "Red Prueba", WITH_ADVICE)
    (text,) = await sos(ana, luz)
    assert ADVICE_ES in text


async def test_the_deployments_advice_for_a_worker_in_no_network(
    world: World, tmp_path: Path
) -> None:
    deployment = {"advice": {"es": "Llama a la Red Nacional Prueba.", "en": "Call the Test Net."}}
    await world.bot.stop()
    world.bot = Companera(
        make_settings(
            world.database_url, tmp_path, world.emulator, ALERT_ADVICE=json.dumps(deployment)
        ),
        world.master_key,
        clock=world.clock,
        poll_timeout=1,
        delivery=UNLIMITED,
    )
    await world.bot.start()
    ana, luz = await world.members("ana", "luz")
    (eva,) = await world.members("eva", language="en")
    await world.link(ana, luz, eva)
    spanish, english = await sos(ana, luz, eva)
    assert "Llama a la Red Nacional Prueba." in spanish and "911" not in spanish
    assert "Call the Test Net." in english
    await coordinator(world, ana, "Red Prueba", WITH_ADVICE)  # her network's comes first
    (text,) = await sos(ana, luz)
    assert ADVICE_ES in text and "Red Nacional" not in text
