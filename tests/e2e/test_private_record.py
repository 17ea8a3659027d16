"""Her private record (/registro, /record): off by default; turned on with a period; an entry
written one question at a time (her messages deleted once kept); listed newest first and
paged; exported as one protected document to her own chat, with nothing of it left on the
server; deleted one by one or all at once; gone after its period, and with /forget; written
once from the /warn form. At rest, no entry's text is readable."""

from __future__ import annotations

import tempfile
from pathlib import Path

from sqlalchemy import func, select

from bot.emulator import EmulatedUser
from bot.i18n import t
from storage.models import OutboxRow, RecordEntryRow
from tests.e2e.conftest import World
from tests.e2e.peers import CDMX, add_member, coordinator, write_warning
from tests.e2e.record_steps import WHAT, WHERE, WHO, add_entry, turn_on
from tests.e2e.test_at_rest import database_bytes, found_in
from tests.e2e.test_discreet import turn_discreet_on
from tests.e2e.test_forget import aad_prefixes, everything, opens
from tests.support.catalog import said


async def entry_count(world: World) -> int:
    async with world.bot.core.db.engine.connect() as connection:
        return int(
            (
                await connection.execute(select(func.count()).select_from(RecordEntryRow))
            ).scalar_one()
        )


async def test_off_by_default_then_on_an_entry_step_by_step_listed(world: World) -> None:
    (ana,) = await world.members("ana")
    await ana.send("/registro")
    intro = await ana.receives(containing=said("record.intro"))
    assert [t("es", "button.record_days", days=d) for d in (30, 90, 365)] == intro.buttons()[:3]
    await ana.press(intro, t("es", "button.record_not_now"))
    await ana.receives(containing=said("record.not_now"))
    assert (await world.member(ana)).record_days == 0

    await turn_on(ana, 90)
    await ana.send("/registro")
    empty = await ana.receives(containing=said("record.empty", days=90))
    await ana.press(empty, t("es", "button.record_new"))
    await ana.receives(containing=said("record.ask.when"))
    await ana.send("el martes pasado")  # not a date: kindly asked again
    await ana.receives(containing=said("record.error.when"))
    await ana.receives(containing=said("record.ask.when"))
    await ana.send("31/12/2099")
    await ana.receives(containing=said("record.error.when_range"))
    await ana.receives(containing=said("record.ask.when"))
    sent_when = await ana.send("1/3 22:15")
    await ana.receives(containing=said("record.ask.where"))
    await ana.send_photo()  # only text is kept: the question stays
    await ana.receives(containing=said("record.hint.text_only"))
    await ana.receives(containing=said("record.ask.where"))
    sent_where = await ana.send(WHERE)
    await ana.receives(containing=said("record.ask.what"))
    await ana.send("x" * 3501)  # too long: kept in her chat to shorten, asked again
    await ana.receives(containing=said("record.error.long", max=3500))
    ask_what = await ana.receives(containing=said("record.ask.what"))
    sent_what = await ana.send(WHAT)
    ask_who = await ana.receives(containing=said("record.ask.who"))
    await ana.press(ask_who, t("es", "button.record_skip"))
    saved = await ana.receives(containing=said("record.saved"))
    assert "1 jun" in (saved.text or "")  # written on 2 March, kept 90 days, to the day after
    await world.settle()
    for message in (sent_when, sent_where, sent_what):
        assert ana.is_deleted(message)
    assert ask_what.has_button(t("es", "button.record_skip"))

    await add_entry(ana, when="hoy", where="Parque Prueba", what="Otro incidente de prueba")
    await ana.send("/record")
    listed = await ana.receives(containing=said("record.list", count=2, days=90))
    text = listed.text or ""
    assert listed.protect_content
    assert text.index("Otro incidente") < text.index("Se negó a pagar")  # newest first
    assert "1 mar 2026, 22:15" in text or "01/03/26, 22:15" in text or "22:15" in text
    assert listed.buttons().count("🗑 1") == 1 and "🗑 2" in listed.buttons()


async def test_many_entries_are_paged(world: World) -> None:
    (ana,) = await world.members("ana")
    await turn_on(ana, 30)
    for day in range(1, 8):
        await add_entry(ana, when=f"{day}/2", where="", what=f"Entrada número {day} de prueba")
    await ana.send("/registro")
    first = await ana.receives(containing=said("record.list", count=7, days=30))
    assert "Entrada número 7" in (first.text or "") and "Entrada número 2" not in (
        first.text or ""
    )
    assert "▶" in first.buttons() and "◀" not in first.buttons()
    await ana.press(first, "▶")
    second = await ana.receives(containing=said("record.list", count=7, days=30))
    assert "6. " in (second.text or "") and "Entrada número 1" in (second.text or "")
    assert "◀" in second.buttons() and "▶" not in second.buttons()


async def test_export_is_one_protected_document_and_nothing_of_it_stays(
    world: World, tmp_path: Path
) -> None:
    (ana,) = await world.members("ana")
    await turn_on(ana)
    await add_entry(ana)
    await add_entry(ana, when="hoy", what="Segunda entrada de prueba", who="")
    before = {p.name for p in Path(tempfile.gettempdir()).iterdir()}
    files_before = {p.name for p in tmp_path.iterdir()}
    await ana.send("/registro")
    listed = await ana.receives(containing=said("record.list", count=2, days=90))
    await ana.press(listed, t("es", "button.record_export"))
    document = await ana.receives(containing=said("record.exported", count=2))
    assert document.protect_content
    assert document.document is not None
    name, content = document.document
    assert name.startswith("registro-2026-03-02") and name.endswith(".txt")
    body = content.decode("utf-8")
    for piece in (WHERE, WHAT, WHO, "Segunda entrada de prueba", "REGISTRO PRIVADO"):
        assert piece in body, piece
    assert body.index(WHAT) < body.index("Segunda entrada")  # oldest first, for a lawyer
    await world.settle()

    async with world.bot.core.db.engine.connect() as connection:
        payloads = (await connection.execute(select(OutboxRow.payload_sealed))).scalars().all()
    assert payloads and all(p is None for p in payloads)  # sent: the outbox kept no text
    assert await entry_count(world) == 2  # only the sealed entries
    new_files = {p.name for p in tmp_path.iterdir()} - files_before
    assert not [n for n in new_files if not n.startswith("companera.db")]
    for created in {p.name for p in Path(tempfile.gettempdir()).iterdir()} - before:
        path = Path(tempfile.gettempdir()) / created
        if path.is_file():
            assert WHAT.encode() not in path.read_bytes(), created
    dump = await database_bytes(world, tmp_path)
    assert not found_in(dump, [WHERE, WHAT, WHO, "Segunda entrada", "Bigotes", "TEST-9911"])


async def test_delete_one_then_all_then_off(world: World) -> None:
    (ana,) = await world.members("ana")
    await turn_on(ana)
    await add_entry(ana, when="1/2", what="Primera de prueba")
    await add_entry(ana, when="2/2", what="Segunda de prueba")
    await add_entry(ana, when="3/2", what="Tercera de prueba")
    await ana.send("/registro")
    listed = await ana.receives(containing=said("record.list", count=3, days=90))
    await ana.press(listed, "🗑 2")  # the second newest: the second of February
    confirm = await ana.receives(containing=said("record.delete_confirm"))
    assert "Segunda de prueba" in (confirm.text or "")
    await ana.press(confirm, t("es", "button.record_delete_yes"))
    await ana.receives(containing=said("record.deleted"))
    await ana.press(confirm, t("es", "button.record_delete_yes"))  # pressed again: gone
    await ana.receives(containing=said("record.error.gone"))
    assert await entry_count(world) == 2

    await ana.send("/registro")
    listed = await ana.receives(containing=said("record.list", count=2, days=90))
    assert "Segunda de prueba" not in (listed.text or "")
    await ana.press(listed, t("es", "button.record_options"))
    options = await ana.receives(containing=said("record.options", days=90))
    assert "✓ " + t("es", "button.record_days", days=90) in options.buttons()
    await ana.press(options, t("es", "button.record_all"))
    confirm = await ana.receives(containing=said("record.all_confirm", count=2))
    await ana.press(confirm, t("es", "button.record_keep"))
    await ana.receives(containing=said("record.kept"))
    assert await entry_count(world) == 2
    await ana.press(confirm, t("es", "button.record_all_yes"))
    await ana.receives(containing=said("record.deleted_all", count=2))
    assert await entry_count(world) == 0

    await add_entry(ana, what="Una más de prueba")
    await ana.press(options, t("es", "button.record_off"))
    confirm = await ana.receives(containing=said("record.off_confirm", count=1))
    await ana.press(confirm, t("es", "button.record_off_yes"))
    await ana.receives(containing=said("record.saved_off"))
    assert await entry_count(world) == 0
    await ana.send("/registro")
    await ana.receives(containing=said("record.intro"))  # off again


async def test_entries_expire_after_her_period(world: World) -> None:
    (ana,) = await world.members("ana")
    await turn_on(ana, 30)
    await add_entry(ana)
    await world.advance(days=29)
    await add_entry(ana, when="hoy", what="Escrita después, de prueba")
    assert await entry_count(world) == 2
    await world.advance(days=1, hours=7)  # past 30 days and the day's end: the sweep ran
    await world.advance(hours=1)
    assert await entry_count(world) == 1
    await ana.send("/registro")
    listed = await ana.receives(containing=said("record.list", count=1, days=30))
    assert "Escrita después" in (listed.text or "") and "Se negó" not in (listed.text or "")

    # A shorter period applies to the entries she has: the second goes once it is past.
    await world.advance(days=5)
    await ana.press(listed, t("es", "button.record_options"))
    options = await ana.receives(containing=said("record.options", days=30))
    await ana.press(options, t("es", "button.record_days", days=365))
    await ana.receives(containing=said("record.period_saved", days=365))
    await world.advance(days=60)
    assert await entry_count(world) == 1


async def test_forget_erases_her_record(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    await turn_on(ana)
    await add_entry(ana)
    await turn_on(luz)
    await add_entry(luz, what="La entrada de Luz, de prueba")
    stored = await world.member(ana)
    async with world.bot.core.db.unit_of_work() as uow:
        key = await uow.members.key_for(stored.id)
    assert key is not None
    before = await everything(world)
    await ana.send("/forget")
    await ana.press(await ana.receives(containing=said("forget.confirm")), "Sí, borrar todo")
    await world.settle()
    after = await everything(world)
    assert await entry_count(world) == 1  # Luz's only
    row_ids = {row_id for _, row_id, _ in before}
    sealed = [v for _, _, v in after if isinstance(v, bytes) and len(v) > 28]
    assert not [v for v in sealed if opens(key, v, row_ids, aad_prefixes())]
    await luz.send("/registro")
    listed = await luz.receives(containing=said("record.list", count=1, days=90))
    assert "La entrada de Luz" in (listed.text or "")


async def test_the_warning_form_keeps_it_in_her_record_too(world: World) -> None:
    rosa, ana = await world.members("rosa", "ana")
    await coordinator(world, rosa, "Red Prueba", CDMX)
    await add_member(rosa, ana)
    review = await write_warning(ana, text="Aviso de prueba para el registro", phone="5512345678")
    assert t("es", "button.warn_record_off") not in review.buttons()  # her record is off
    await ana.press(review, t("es", "button.cancel"))
    await turn_on(ana)
    review = await write_warning(ana, text="Aviso de prueba para el registro", phone="5512345678")
    await ana.press(review, t("es", "button.warn_record_off"))
    review = await ana.receives(containing=said("warn.review"))
    assert t("es", "button.warn_record_on") in review.buttons()
    await ana.press(review, "📣 Enviar")
    await ana.receives(containing=said("record.saved_from_warning"))
    await ana.send("/registro")
    listed = await ana.receives(containing=said("record.list", count=1, days=90))
    assert "Cliente violento: Aviso de prueba" in (listed.text or "")
    await ana.press(listed, t("es", "button.record_export"))
    document = await ana.receives(containing=said("record.exported", count=1))
    body = document.document[1].decode() if document.document else ""
    assert "Centro" in body and t("es", "warning.kind.violent") in body and "55" in body


async def test_discreet_mode_keeps_it_plain(world: World) -> None:
    (ana,) = await world.members("ana")
    await turn_discreet_on(ana)
    await ana.send("/registro")
    intro = await ana.receives(containing=said("record.intro.discreet"))
    await ana.press(intro, t("es", "button.record_days", days=30))
    await ana.receives(containing=said("record.saved_on.discreet", days=30))
    await add_entry_discreet(ana)
    await ana.send("/registro")
    listed = await ana.receives(containing=said("record.list.discreet", count=1, days=30))
    await ana.press(listed, t("es", "button.record_export"))
    document = await ana.receives(containing=said("record.exported.discreet", count=1))
    assert document.document is not None
    assert document.document[0].startswith("notas-")
    assert document.document[1].decode().startswith("NOTAS")


async def add_entry_discreet(user: EmulatedUser) -> None:
    await user.send("/registro")
    shown = await user.receives(containing="📓")
    await user.press(shown, t("es", "button.record_new.discreet"))
    for key, answer in (("when", "hoy"), ("where", WHERE), ("what", WHAT), ("who", WHO)):
        discreet = key in ("when", "what", "who")
        await user.receives(containing=said(f"record.ask.{key}" + ".discreet" * discreet))
        await user.send(answer)
    await user.receives(containing=said("record.saved.discreet"))
