"""Shift partners end to end: /turno gives a single-use link, each partner accepts, the
others are told by alias, /turno fin leaves, the last one out erases the shift, and 12 hours
end it for everyone."""

from __future__ import annotations

from sqlalchemy import text

from bot.emulator import EmulatedUser, SentMessage
from tests.e2e.conftest import GRACE, World, short_checkin
from tests.support.catalog import said

TABLES = ("shifts", "shift_members", "shift_passes")


async def shift_link(world: World, user: EmulatedUser, key: str = "shift.started") -> str:
    """She asks for a link to her shift (starting it if she is in none): its start token."""
    await user.send("/turno")
    message = await user.receives(containing=said(key))
    prefix = f"https://t.me/{world.emulator.bot_username}?start="
    assert prefix + "turno_" in message.text
    return message.text.split(prefix, 1)[1].split()[0]


async def joins(user: EmulatedUser, token: str, names: str) -> None:
    """She opens a partner's link, sees who is in the shift and taps "Me uno"."""
    await user.send(f"/start {token}")
    offer = await user.receives(containing=said("shift.offer", names=names))
    await user.press(offer, said("button.shift_join"))
    await user.receives(containing=said("shift.joined_ok", names=names))


async def rows(world: World) -> dict[str, int]:
    async with world.bot.core.db.unit_of_work() as uow:
        session = uow.session  # type: ignore[attr-defined]
        return {t: int(await session.scalar(text(f"SELECT count(*) FROM {t}"))) for t in TABLES}


async def shift_of_three(world: World) -> list[EmulatedUser]:
    ana, luz, eva = await world.members("ana", "luz", "eva")
    await joins(luz, await shift_link(world, ana), "Ana")
    await ana.receives(containing=said("shifts.joined", alias="Luz"))
    await joins(eva, await shift_link(world, ana, "shift.link"), "Ana, Luz")
    for partner in (ana, luz):
        await partner.receives(containing=said("shifts.joined", alias="Eva"))
    return [ana, luz, eva]


async def test_a_shift_of_three_and_the_last_one_out_erases_it(world: World) -> None:
    ana, luz, eva = await shift_of_three(world)
    await world.settle()
    assert await rows(world) == {"shifts": 1, "shift_members": 3, "shift_passes": 0}
    await luz.send("/turno fin")
    await luz.receives(containing=said("shift.left_ok"))
    for partner in (ana, eva):
        await partner.receives(containing=said("shifts.left", alias="Luz"))
    await ana.send("/shift end")
    await ana.receives(containing=said("shift.left_ok"))
    await eva.receives(containing=said("shifts.left", alias="Ana"))
    await eva.send("/turno fin")
    await eva.receives(containing=said("shift.left_ok"))
    await world.settle()
    assert await rows(world) == {"shifts": 0, "shift_members": 0, "shift_passes": 0}
    await eva.send("/turno fin")
    await eva.receives(containing=said("shift.error.none"))


async def test_a_link_works_once_and_a_partner_sees_aliases_only(world: World) -> None:
    ana, luz, eva = await world.members("ana", "luz", "eva")
    token = await shift_link(world, ana)
    await joins(luz, token, "Ana")
    joined = await ana.receives(containing=said("shifts.joined", alias="Luz"))
    assert str(luz.id) not in joined.text and "luz" not in joined.text  # her alias, no name
    await eva.send(f"/start {token}")
    await eva.receives(containing=said("shift.error.invalid"))


async def test_declining_uses_the_link_up_and_tells_nobody(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    token = await shift_link(world, ana)
    await luz.send(f"/start {token}")
    offer = await luz.receives(containing=said("shift.offer", names="Ana"))
    await luz.press(offer, said("button.shift_no"))
    await luz.receives(containing=said("shift.declined_ok"))
    await world.settle()
    await ana.receives_nothing()
    await luz.send(f"/start {token}")
    await luz.receives(containing=said("shift.error.invalid"))


async def test_a_partner_without_an_alias_gives_one_first(world: World) -> None:
    (ana,) = await world.members("ana")
    token = await shift_link(world, ana)
    sol = world.emulator.user("sol", language_code="es")
    await sol.send(f"/start {token}")
    offer = await sol.receives(containing=said("shift.offer", names="Ana"))
    await sol.press(offer, said("button.shift_join"))
    await sol.receives(containing=said("alias.first"))
    await sol.send("Sol")
    await sol.receives(containing=said("shift.joined_ok", names="Ana"))
    await ana.receives(containing=said("shifts.joined", alias="Sol"))


async def test_twelve_hours_end_the_shift_for_everyone(world: World) -> None:
    ana, luz, eva = await shift_of_three(world)
    await world.advance(hours=13)
    for partner in (ana, luz, eva):
        await partner.receives(containing=said("shifts.ended"))
    assert await rows(world) == {"shifts": 0, "shift_members": 0, "shift_passes": 0}


def status_messages(user: EmulatedUser) -> list[SentMessage]:
    return [m for m in user.inbox() if said("shifts.status.title") in (m.text or "")]


async def test_one_status_message_each_edited_once_per_change(world: World) -> None:
    ana, luz, eva = await shift_of_three(world)
    await world.settle()
    for partner in (ana, luz, eva):
        assert len(status_messages(partner)) == 1, partner
    (status,) = status_messages(ana)
    assert said("shifts.status.free", alias="Luz") in status.text
    edits = status.edited
    await luz.send("/cita 45m Motel Prueba")
    await luz.receives(containing=said("checkin.started"))
    for partner in (ana, eva):  # told at once, her time and not her details
        told = await partner.receives(containing=said("shifts.busy", alias="Luz"))
        assert "Motel" not in told.text
    await world.settle()
    assert status.edited == edits + 1  # one edit for one change
    busy = said("shifts.status.busy", alias="Luz")
    assert busy in status.text and said("shifts.status.free", alias="Eva") in status.text
    await world.advance(minutes=20)  # time goes by: no edit for it
    assert status.edited == edits + 1
    await luz.send("/bien")
    await luz.receives(containing=said("checkin.safe"))
    await world.settle()
    assert status.edited == edits + 2
    assert said("shifts.status.free", alias="Luz") in status.text
    for partner in (ana, luz, eva):
        assert len(status_messages(partner)) == 1, partner


async def test_at_her_deadline_partners_hear_first_and_contacts_after_the_grace(
    world: World,
) -> None:
    ana, luz, eva = await shift_of_three(world)
    (sol,) = await world.members("sol")
    await world.link(luz, sol)
    await short_checkin(luz, "Motel Prueba")
    await luz.receives(containing=said("checkin.started"))
    await world.settle()
    await world.advance(minutes=1)
    for partner in (ana, eva):
        told = await partner.receives(containing=said("shifts.overdue", alias="Luz"))
        assert "Motel" not in told.text  # her time, never her details
    await sol.receives_nothing()
    (status,) = status_messages(ana)
    assert said("shifts.status.overdue", alias="Luz") in status.text
    await world.advance(seconds=GRACE + 1)
    await sol.receives(containing=said("alert.missed.title", alias="Luz"))
    for partner in (ana, eva):
        assert said("alert.missed.title", alias="Luz") not in partner.inbox()[-1].text


async def test_a_partners_voy_reaches_the_other_partners_and_her_contacts(world: World) -> None:
    ana, luz, eva = await shift_of_three(world)
    (sol,) = await world.members("sol")
    await world.link(luz, sol)
    await short_checkin(luz)
    await luz.receives(containing=said("checkin.started"))
    await world.settle()
    await world.advance(minutes=1)
    told = await ana.receives(containing=said("shifts.overdue", alias="Luz"))
    await ana.press(told, said("button.shift_going"))
    await ana.receives(containing=said("shift.going_ok", alias="Luz"))
    going = said("shifts.going", partner="Ana", alias="Luz")
    await eva.receives(containing=going)
    await sol.receives(containing=going)
    await world.settle()
    assert not told.buttons()
    assert all(going not in (m.text or "") for m in luz.inbox())  # not in her own chat
