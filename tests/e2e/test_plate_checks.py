"""/check with a car plate, end to end: the plate a warning carries is found however it is
written, the same answer for outsiders, one hourly limit for phones and plates, her message
deleted; a client's name is not searchable."""

from __future__ import annotations

from bot.emulator import EmulatedUser
from tests.e2e.conftest import World
from tests.e2e.peers import MIXCO, coordinator, write_warning
from tests.e2e.test_warnings import TEXT, cdmx
from tests.support.catalog import said

PLATE = "ABC-123"  # made up


async def published_with_plate(world: World) -> tuple[EmulatedUser, EmulatedUser]:
    ana, bea = await cdmx(world, "bea")
    review = await write_warning(ana, text=TEXT, plate=PLATE)
    await ana.press(review, "📣 Enviar")
    await ana.receives(containing=said("warn.sent_published"))
    return ana, bea


async def test_a_plate_is_found_in_three_spellings_and_her_message_deleted(
    world: World,
) -> None:
    _ana, bea = await published_with_plate(world)
    for written in ("ABC-123", "abc 123", "ABC123"):
        sent = await bea.send(f"/revisar {written}")
        found = await bea.receives(containing="⚠️ Hay 1 aviso sobre esa placa")
        assert "(Cliente violento)" in (found.text or "") and TEXT in (found.text or "")
        assert "🚗 ABC123" in (found.text or "")
        assert found.protect_content
        assert bea.is_deleted(sent), written  # the plate does not stay in her chat
    await bea.send("/revisar XYZ-987")
    await bea.receives(containing=said("check.none.plate"))


async def test_a_plate_typed_after_check_is_found_and_deleted(world: World) -> None:
    _ana, bea = await published_with_plate(world)
    await bea.send("/revisar")
    await bea.receives(containing=said("check.ask"))
    typed = await bea.send("abc-123")
    await bea.receives(containing="⚠️ Hay 1 aviso sobre esa placa")
    assert bea.is_deleted(typed)


async def test_outsiders_get_the_same_answer_for_a_plate(world: World) -> None:
    await published_with_plate(world)
    eva, gaby = await world.members("eva", "gaby")
    await coordinator(world, gaby, "Colectiva Prueba", MIXCO)  # another network
    answers = []
    for person, plate in ((eva, PLATE), (eva, "XYZ-987"), (eva, "+52 55 1234 5678")):
        sent = await person.send(f"/check {plate}")
        answers.append(await person.receives())
        assert person.is_deleted(sent)
    assert answers[0].text == answers[1].text == answers[2].text  # listed or not, plate or phone
    assert said("check.error.not_member") in (answers[0].text or "")
    await gaby.send(f"/check {PLATE}")
    await gaby.receives(containing=said("check.none.plate"))  # Mixco cannot see Alianza's


async def test_phones_and_plates_share_one_hourly_limit(world: World) -> None:
    _ana, bea = await published_with_plate(world)
    for i in range(10):
        await bea.send(f"/check 55 1234 {5600 + i}")
        await bea.receives(containing=said("check.none"))
        await bea.send(f"/check XYZ-{100 + i}")
        await bea.receives(containing=said("check.none.plate"))
    sent = await bea.send(f"/check {PLATE}")
    await bea.receives(containing="Ya revisaste 20 números en esta hora")
    assert bea.is_deleted(sent)
    await bea.send("/check hola")  # a word is neither: it uses no check up, and says so
    await bea.receives(containing=said("check.error.phone", example="55 1234 5678"))
    await world.advance(hours=1, seconds=1)
    await bea.send(f"/check {PLATE}")
    await bea.receives(containing="⚠️ Hay 1 aviso sobre esa placa")


async def test_a_name_is_not_searchable(world: World) -> None:
    ana, bea = await cdmx(world, "bea")
    review = await write_warning(ana, text=TEXT, plate=PLATE, name="Fulano Prueba")
    await ana.press(review, "📣 Enviar")
    await ana.receives(containing=said("warn.sent_published"))
    await bea.send("/check Fulano Prueba")
    await bea.receives(containing=said("check.error.phone", example="55 1234 5678"))
