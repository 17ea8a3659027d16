"""Bad input gets a kind answer in her language; the bot keeps running; nothing is lost."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core import checkins
from bot.core.checkins import MAX_DETAILS
from tests.e2e.conftest import World

ODD = "‮ánä\u200b🧕🏽 Ñ̃ 𝔘𝔫𝔦 \u0000 ﷽"


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        ("/checkin -5m", "No entendí el tiempo"),
        ("/checkin 0", "El tiempo mínimo es 1 minuto"),
        ("/checkin 25h", "El tiempo máximo es 24 horas"),
        ("/checkin 99999999999", "No entendí el tiempo"),
        ("/checkin 1h99", "No entendí el tiempo"),
        ("/checkin Hotel Real", "No entendí el tiempo"),
        ("/extend", "No tienes ningún check-in activo"),
        ("/extend 30m", "No tienes ningún check-in activo"),
        ("/safe", "No tienes ningún check-in activo"),
        ("/nonsense", "No conozco ese comando"),
    ],
)
async def test_bad_commands_get_a_kind_answer_and_start_nothing(
    world: World, command: str, answer: str
) -> None:
    (ana,) = await world.members("ana")
    await ana.send(command)
    await ana.receives(containing=answer)
    assert await checkins.open_checkin(world.bot.core, await world.member(ana)) is None
    await ana.send("/help")
    await ana.receives(containing="Qué puedo hacer")


async def test_bad_extend_duration_keeps_the_timer(world: World) -> None:
    (ana,) = await world.members("ana")
    await ana.send("/checkin 30m")
    await ana.receives(containing="12:30")
    await ana.send("/extend mucho")
    await ana.receives(containing="No entendí el tiempo")
    running = await checkins.open_checkin(world.bot.core, await world.member(ana))
    assert running is not None and running.deadline_at.minute == 30


async def test_huge_details_start_the_timer_and_keep_her_message(world: World) -> None:
    (ana,) = await world.members("ana")
    details = "Hotel Prueba " + "x" * 3990
    sent = await ana.send(f"/checkin 30m {details}")
    await ana.receives(containing="tienes hasta las")
    await ana.receives(containing=f"los primeros {MAX_DETAILS} caracteres")
    assert not world.emulator.is_deleted(ana.chat_id, sent["message_id"])
    running = await checkins.open_checkin(world.bot.core, await world.member(ana))
    assert running is not None and running.details == details[:MAX_DETAILS]


async def test_odd_unicode_alias_and_details_survive_the_round_trip(world: World) -> None:
    ana = world.emulator.user("ana")
    await ana.send("/start")
    await ana.receives(containing="alias")
    await ana.send(ODD)
    await ana.receives(containing="Listo")
    await ana.send(f"/checkin 45m {ODD}")
    await ana.receives(containing="tienes hasta las")
    running = await checkins.open_checkin(world.bot.core, await world.member(ana))
    assert running is not None and running.details is not None
    assert "🧕🏽" in running.details


async def test_stickers_and_text_out_of_context_get_a_hint(world: World) -> None:
    (ana,) = await world.members("ana")
    await ana.send("hola?")
    await ana.receives(containing="/checkin")


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=st.text(min_size=1, max_size=300))
async def test_any_text_after_checkin_gets_an_answer(world: World, text: str) -> None:
    ana = world.emulator.user("fuzz")
    before = len(ana.inbox())
    await ana.send(f"/checkin {text}")
    await ana.receives(timeout=5)
    assert len(ana.inbox()) > before
    assert not [m for m in ana.inbox() if "Algo falló" in (m.text or "")]
    await ana.send("/safe")
    await ana.receives(timeout=5)
