"""Accompaniment (/apoyo, /casos): a member's case reaches only her network's coordinators who
chose to give support; it is relayed both ways, protected, with her alias on one side and
"Acompañamiento — <network>" on the other, and neither side's Telegram id, name or username
ever reaches the other; it is reminded when nobody answers, deleted after the network's
retention once closed, at once when she deletes it, and with her at /forget. A copy of the
database holds none of its words."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from bot.core.network_config import parse_config
from bot.core.networks import update_network
from bot.emulator import EmulatedUser, SentMessage
from bot.i18n import t
from storage.models import SupportCaseRow
from tests.e2e.conftest import World
from tests.e2e.peers import CDMX, add_member, coordinator
from tests.e2e.support_steps import ask_support, be_support, person, write
from tests.e2e.test_at_rest import database_bytes, found_in
from tests.e2e.test_detention import second_coordinator
from tests.support.catalog import said
from tests.support.units import committed

NETWORK = "Red Prueba"
CASE_TEXT = "Me robaron el bolso anoche en la calle Pruebita, necesito abogada"
REPLY = "Hola, soy de la organización. ¿Estás a salvo ahora? Te llamo mañana"
ANSWER = "Sí, ya en casa. Gracias por responder"
KIND = t("es", "support.kind.violence")


async def network_with_support(world: World) -> tuple[EmulatedUser, EmulatedUser, EmulatedUser]:
    """Rosa coordinates and gives support, Sara coordinates and does not, Ana is a member."""
    rosa = await person(world, "rosatgcuenta", "Vera Coord")
    sara = await person(world, "saratgcuenta", "Sol Coord")
    ana = await person(world, "anatgcuenta", "Luna Prueba")
    await coordinator(world, rosa, NETWORK, CDMX)
    await second_coordinator(world, sara, NETWORK)
    await add_member(rosa, ana)
    await be_support(rosa)
    return rosa, sara, ana


def identity(user: EmulatedUser, alias: str) -> list[str]:
    return [str(user.id), user.username, user.first_name, alias]


def leaks(to: EmulatedUser, of: list[str]) -> list[str]:
    return [
        f"#{of.index(secret)} in {to.username}'s chat"
        for message in to.inbox()
        for secret in of
        if secret in (message.text or "") + " ".join(message.buttons())
    ]


async def test_a_case_is_relayed_both_ways_and_nobody_learns_the_other(world: World) -> None:
    rosa, sara, ana = await network_with_support(world)
    sent = await ask_support(ana, CASE_TEXT)
    assert sent.text == said("support.sent")
    assert all(CASE_TEXT not in (m.text or "") for m in ana.inbox())

    kind = t("es", "support.kind.violence")
    new = await rosa.receives(
        containing=said("support.new", network=NETWORK, kind=kind, alias="Luna Prueba")
    )
    assert CASE_TEXT not in (new.text or "") and new.protect_content
    await rosa.press(new, t("es", "button.support_take"))
    case = await rosa.receives(containing=CASE_TEXT)
    assert case.protect_content and "Luna Prueba" in (case.text or "")
    taken = await ana.receives(containing=said("support.taken", network=NETWORK))
    assert taken.protect_content

    await write(rosa, case, REPLY)
    relayed = await ana.receives(containing=REPLY)
    assert relayed.protect_content
    assert (relayed.text or "").startswith(f"💬 Acompañamiento — {NETWORK}:\n")
    await write(ana, relayed, ANSWER)
    back = await rosa.receives(containing=ANSWER)
    assert back.protect_content and (back.text or "").startswith(f"💬 Luna Prueba — {NETWORK}:")

    await world.settle()
    assert not leaks(ana, identity(rosa, "Vera Coord")), leaks(ana, identity(rosa, "Vera Coord"))
    assert not leaks(rosa, identity(ana, "")[:3])
    assert leaks(rosa, ["Luna Prueba"])  # her alias is what support reads
    for words in (CASE_TEXT, REPLY, ANSWER, "Luna Prueba"):  # not support: never a word of it
        assert not any(words in (m.text or "") for m in sara.inbox())
    await sara.send("/casos")
    await sara.receives(containing=said("support.role_off"))


async def cases_in_db(world: World) -> int:
    async with world.bot.core.db.engine.connect() as connection:
        rows = await connection.execute(select(func.count()).select_from(SupportCaseRow))
        return int(rows.scalar_one())


async def taken_case(world: World) -> tuple[EmulatedUser, EmulatedUser, EmulatedUser, SentMessage]:
    """Ana's case, taken by Rosa: Rosa's view of it."""
    rosa, sara, ana = await network_with_support(world)
    await ask_support(ana, CASE_TEXT)
    new = await rosa.receives(
        containing=said("support.new", network=NETWORK, kind=KIND, alias="Luna Prueba")
    )
    await rosa.press(new, t("es", "button.support_take"))
    case = await rosa.receives(containing=CASE_TEXT)
    await ana.receives(containing=said("support.taken", network=NETWORK))
    return rosa, sara, ana, case


async def test_only_support_sees_the_queue_and_a_case_waits_with_its_age(world: World) -> None:
    rosa, sara, ana = await network_with_support(world)
    assert (await ask_support(ana, CASE_TEXT, "legal")).text == said("support.sent")
    await rosa.receives(
        containing=said(
            "support.new", network=NETWORK, kind=t("es", "support.kind.legal"), alias="Luna Prueba"
        )
    )
    await world.advance(minutes=90)
    await rosa.send("/casos")
    queue = await rosa.receives(containing=said("support.queue", cases=""))
    assert "Luna Prueba" in (queue.text or "") and "hace 1 hora" in (queue.text or "")
    assert CASE_TEXT not in (queue.text or "")  # the words only once she takes it
    await sara.send("/casos")  # a coordinator who does not give support
    await sara.receives(containing=said("support.role_off"))
    await ana.send("/casos")  # a member
    await ana.receives(containing=said("support.not_coordinator"))
    await world.settle()
    for other in (sara, ana):
        assert not [
            m for m in other.inbox() if "📥" in (m.text or "") or CASE_TEXT in (m.text or "")
        ]


async def test_nobody_answers_for_two_hours_support_is_reminded(world: World) -> None:
    rosa, sara, ana = await network_with_support(world)
    await ask_support(ana, CASE_TEXT)
    await rosa.receives(containing="📥")
    await world.advance(hours=1, minutes=59)
    await rosa.receives_nothing()
    await world.advance(hours=1)  # the hourly sweep after the two hours
    reminder = await rosa.receives(containing="⏰")
    assert "Luna Prueba" in (reminder.text or "") and "hace 2 horas" in (reminder.text or "")
    assert reminder.has_button(t("es", "button.support_take"))
    await world.advance(hours=3)  # once per silence
    await rosa.receives_nothing()
    assert not [m for m in sara.inbox() if "⏰" in (m.text or "")]


async def test_a_taken_case_she_wrote_in_reminds_only_its_coordinator(world: World) -> None:
    rosa, _sara, ana, case = await taken_case(world)
    await write(rosa, case, REPLY)
    relayed = await ana.receives(containing=REPLY)
    await write(ana, relayed, ANSWER)
    await rosa.receives(containing=ANSWER)
    await world.advance(hours=3)
    assert "Luna Prueba" in ((await rosa.receives(containing="⏰")).text or "")


async def test_closed_case_is_deleted_after_the_networks_retention(world: World) -> None:
    rosa, _sara, ana, case = await taken_case(world)
    await committed(
        world.bot.core,
        update_network,
        NETWORK,
        parse_config(CDMX + "support:\n  retention_days: 10\n  remind_after_hours: 4\n"),
    )
    await rosa.press(case, t("es", "button.support_close"))
    await rosa.receives(containing=said("support.closed_ok", count=10))
    await ana.receives(containing=said("support.ended.closed.member", network=NETWORK))
    assert await cases_in_db(world) == 1
    await ana.send("/apoyo")  # still hers to read or delete until then
    mine = await ana.receives(containing=said("support.state.closed"))
    assert not mine.has_button("✍️ Escribir 1")
    await world.advance(days=9, hours=23)
    assert await cases_in_db(world) == 1
    await world.advance(hours=2)
    assert await cases_in_db(world) == 0


async def test_she_deletes_her_case_at_once(world: World) -> None:
    rosa, _sara, ana, case = await taken_case(world)
    await ana.send("/apoyo")
    mine = await ana.receives(containing=said("support.state.taken"))
    await ana.press(mine, "🗑 Borrar 1")
    confirm = await ana.receives(containing=said("support.delete_confirm"))
    await ana.press(confirm, t("es", "button.support_delete_yes"))
    await ana.receives(containing=said("support.deleted_ok"))
    await rosa.receives(
        containing=said("support.ended.deleted.support", alias="Luna Prueba", network=NETWORK)
    )
    assert await cases_in_db(world) == 0
    await rosa.press(case, t("es", "button.support_write"))  # her old buttons: gone, kindly
    await rosa.receives(containing=said("support.error.gone"))


async def test_forget_erases_her_cases_and_requeues_a_coordinators(world: World) -> None:
    rosa, sara, ana, _case = await taken_case(world)
    await be_support(sara)
    await rosa.send("/forget")
    await rosa.press(await rosa.receives(containing=said("forget.confirm")), "Sí, borrar todo")
    await ana.receives(containing=said("support.ended.requeued.member", network=NETWORK))
    assert await cases_in_db(world) == 1
    await world.advance(hours=1)  # the next sweep: the other support coordinators hear of it
    reminder = await sara.receives(containing="⏰")
    await sara.press(reminder, t("es", "button.support_take"))
    assert CASE_TEXT in ((await sara.receives(containing=CASE_TEXT)).text or "")
    await ana.receives(containing=said("support.taken", network=NETWORK))
    await ana.send("/forget")
    await ana.press(await ana.receives(containing=said("forget.confirm")), "Sí, borrar todo")
    await sara.receives(
        containing=said("support.ended.deleted.support", alias="Luna Prueba", network=NETWORK)
    )
    assert await cases_in_db(world) == 0


async def test_her_code_word_works_while_she_writes_to_support(world: World) -> None:
    rosa, ana, luz = await world.members("rosa", "ana", "luz")
    await coordinator(world, rosa, NETWORK, CDMX)
    await add_member(rosa, ana)
    await be_support(rosa)
    await world.link(ana, luz)
    await ana.send("/codeword pistache azul")
    choose = await ana.receives(containing=said("codeword.choose_reply"))
    await ana.press(choose, "Nada (no contestar)")
    await ana.receives(containing=said("codeword.reply_saved"))
    await ask_support(ana, CASE_TEXT)
    await rosa.press(await rosa.receives(containing="📥"), t("es", "button.support_take"))
    case = await rosa.receives(containing=CASE_TEXT)
    await write(rosa, case, REPLY)
    relayed = await ana.receives(containing=REPLY)
    await ana.press(relayed, t("es", "button.support_write"))
    await ana.receives(containing=said("support.ask_write"))
    await ana.send("Pistache azul")  # while she writes to support: the alarm, not a message
    await luz.receives(containing="palabra clave")
    await ana.send(ANSWER)  # her next words still go to the case
    await ana.receives(containing="Enviado")
    await rosa.receives(containing=ANSWER)
    await world.settle()
    assert not [m for m in rosa.inbox() if "istache" in (m.text or "")]


async def test_only_words_go_to_a_case(world: World) -> None:
    rosa, _sara, ana, case = await taken_case(world)
    await write(rosa, case, REPLY)
    relayed = await ana.receives(containing=REPLY)
    await ana.press(relayed, t("es", "button.support_write"))
    await ana.receives(containing=said("support.ask_write"))
    await ana.send_photo()
    await ana.receives(containing=said("support.text_only"))
    await ana.send(ANSWER)
    await rosa.receives(containing=ANSWER)


async def test_a_database_copy_after_the_whole_flow_holds_no_word_of_a_case(
    world: World, tmp_path: Path
) -> None:
    rosa, _sara, ana, case = await taken_case(world)
    await write(rosa, case, REPLY)
    relayed = await ana.receives(containing=REPLY)
    await write(ana, relayed, ANSWER)
    await rosa.receives(containing=ANSWER)
    await ask_support(ana, "Segundo pedido de salud Prueba", "health")  # one waiting, too
    await world.settle()
    assert await cases_in_db(world) == 2
    dump = await database_bytes(world, tmp_path)
    secrets = [CASE_TEXT, REPLY, ANSWER, "Segundo pedido", "Luna Prueba", "Vera Coord"]
    secrets += ["violence", "health", "Pruebita", str(ana.id), str(rosa.id)]
    assert not found_in(dump, secrets)


async def test_a_coordinator_who_stops_giving_support_reads_nothing_more(world: World) -> None:
    rosa, sara, ana, case = await taken_case(world)
    await write(rosa, case, REPLY)
    relayed = await ana.receives(containing=REPLY)
    await rosa.send("/casos")
    await rosa.press(await rosa.receives(containing="Luna Prueba"), t("es", "button.support_off"))
    await rosa.receives(containing=said("support.role_off"))
    await be_support(sara)
    await ana.press(relayed, t("es", "button.support_write"))
    await ana.receives(containing=said("support.ask_write"))
    await ana.send(ANSWER)  # saved in her case, which goes back to the queue
    await ana.receives(containing=said("support.ended.requeued.member", network=NETWORK))
    await ana.receives(containing=said("support.relayed_waiting"))
    await world.settle()
    assert not [m for m in rosa.inbox() if ANSWER in (m.text or "")]
    await sara.send("/casos")
    queue = await sara.receives(containing="Luna Prueba")
    await sara.press(queue, "📂 Abrir 1")
    taken = await sara.receives(containing=ANSWER)
    assert CASE_TEXT in (taken.text or "") and REPLY in (taken.text or "")
