"""Bad input gets a kind answer in her language; the bot keeps running; nothing is lost."""

from __future__ import annotations

import random

import pytest

from bot.core import checkins
from bot.core.checkins import MAX_DETAILS
from tests.e2e.conftest import World
from tests.support.catalog import said
from tests.support.units import committed

ODD = "‮ánä\u200b🧕🏽 Ñ̃ 𝔘𝔫𝔦 \u0000 ﷽"


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        ("/checkin -5m", "No entendí el tiempo"),
        ("/checkin 0", "El tiempo mínimo es 1 minuto"),
        ("/checkin 25h", "El tiempo máximo es 24 horas"),
        ("/checkin 99999999999", "El tiempo máximo es 24 horas"),
        ("/checkin 5 de mayo", "No entendí el tiempo"),
        ("/extend 5", "No tienes ningún check-in activo"),
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
    assert await committed(world.bot.core, checkins.open_checkin, await world.member(ana)) is None
    await ana.send("/help")
    await ana.receives(containing=said("help.text"))


async def test_bad_extend_duration_keeps_the_timer(world: World) -> None:
    (ana,) = await world.members("ana")
    await ana.send("/checkin 30m")
    await ana.receives(containing="12:30")
    await ana.send("/extend mucho")
    await ana.receives(containing="No entendí el tiempo")
    running = await committed(world.bot.core, checkins.open_checkin, await world.member(ana))
    assert running is not None and running.deadline_at.minute == 30


async def test_huge_details_start_the_timer_and_keep_her_message(world: World) -> None:
    (ana,) = await world.members("ana")
    details = "Hotel Prueba " + "x" * 3990
    sent = await ana.send(f"/checkin 30m {details}")
    await ana.receives(containing=said("checkin.started"))
    await ana.receives(containing=f"los primeros {MAX_DETAILS} caracteres")
    assert not world.emulator.is_deleted(ana.chat_id, sent["message_id"])
    running = await committed(world.bot.core, checkins.open_checkin, await world.member(ana))
    assert running is not None and running.details == details[:MAX_DETAILS]


async def test_odd_unicode_alias_and_details_survive_the_round_trip(world: World) -> None:
    ana = world.emulator.user("ana")
    await ana.send("/start")
    await ana.receives(containing="alias")
    await ana.send(ODD)
    await ana.receives(containing="Listo")
    await ana.send(f"/checkin 45m {ODD}")
    await ana.receives(containing=said("checkin.started"))
    running = await committed(world.bot.core, checkins.open_checkin, await world.member(ana))
    assert running is not None and running.details is not None
    assert "🧕🏽" in running.details


async def test_stickers_and_text_out_of_context_get_a_hint(world: World) -> None:
    (ana,) = await world.members("ana")
    await ana.send("hola?")
    await ana.receives(containing=said("hint.free_text"))


def odd_strings(count: int, seed: int = 20261125) -> list[str]:
    """Deterministic nasty input: digits, units, emoji, RTL marks, combining and control
    characters, very long words, slashes. (Hypothesis drives the pure parsers; an e2e world
    cannot be shared across its examples.)"""
    pieces = [
        "45m",
        "1h30",
        "-",
        "0",
        "99999",
        "h",
        ":",
        ",",
        " ",
        "\n",
        "\t",
        "/",
        "@",
        "🧕🏽",
        "\u202e",
        "\u200b",
        "é",
        "n\u0303",
        "𝔘",
        "﷽",
        "\u0000",
        "x" * 500,
        "'\"",
        "<b>",
        "%s",
        "{alias}",
        "SELECT",
        "1:75",
        "24h",
        "25h",
        "1.5h",
    ]
    rng = random.Random(seed)
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 12))) for _ in range(count)]


async def test_any_text_after_checkin_gets_an_answer(world: World) -> None:
    (ana,) = await world.members("ana")
    for text in odd_strings(40):
        await ana.send(f"/checkin {text}"[:4096])
        await ana.receives(timeout=5)
        await ana.send(text[:4096] or "?")
        await ana.receives(timeout=5)
        await ana.send("/safe")
        await ana.receives(timeout=5)
    assert not [m for m in ana.inbox() if "Algo falló" in (m.text or "")]
