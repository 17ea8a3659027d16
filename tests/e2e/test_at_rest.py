"""After a full flow, a copy of the database without the key reveals none of the secrets: the
SQLite files as they are on disk, or what `pg_dump` writes for PostgreSQL. Every table holds
rows at the moment of the copy, so that none escapes the search."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
from pathlib import Path

from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import make_url

from storage.models import Base
from tests.e2e.conftest import GRACE, World, set_pins, short_checkin
from tests.e2e.peers import CDMX, add_member, coordinator, follow, write_warning
from tests.e2e.record_steps import add_entry, turn_on
from tests.e2e.support_steps import ask_support
from tests.support.catalog import said

ALIAS, LABEL = "Anabella Prueba", "Lucecita Prueba"
CONTACT_ALIAS = "Lucerito Prueba"  # the alias Luz chose, shown to Ana before she confirms
DETAILS = "Hotel Flamingo Prueba hab 12, placa TEST-7788"
LAT, LON = 19.4326, -99.1332
BYTEA = re.compile(rb"\\\\x([0-9a-f]*)")  # how COPY writes a bytea value: \\x0a1b...


async def database_bytes(world: World, tmp_path: Path) -> bytes:
    """Every byte the database holds: the SQLite files, or the output of `pg_dump`."""
    if world.database_url.startswith("sqlite"):
        files = [tmp_path / "companera.db", tmp_path / "companera.db-wal"]
        return b"".join(f.read_bytes() for f in files if f.exists())
    return await pg_dump(world)


async def pg_dump(world: World) -> bytes:
    """The whole database as `pg_dump` writes it (schema, every table, every sequence), with
    each bytea value turned back into its bytes: its hex text would hide a plaintext."""
    url = make_url(world.database_url)
    command = [
        await pg_dump_binary(world),
        "--no-password",
        f"--host={url.host or '127.0.0.1'}",
        f"--port={url.port or 5432}",
        f"--username={url.username or 'postgres'}",
        f"--dbname={url.database}",
    ]
    env = {**os.environ, "PGPASSWORD": url.password or ""}
    dump = await asyncio.create_subprocess_exec(
        *command,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await dump.communicate()
    assert dump.returncode == 0, err.decode(errors="replace")
    assert b"COPY public.members" in out
    return BYTEA.sub(lambda hex_text: bytes.fromhex(hex_text.group(1).decode()), out)


async def pg_dump_binary(world: World) -> str:
    """The pg_dump of the server's major version (Debian keeps one per version), else the
    one on PATH: an older pg_dump refuses a newer server."""
    async with world.bot.core.db.engine.connect() as connection:
        version = int((await connection.execute(text("SHOW server_version_num"))).scalar_one())
    packaged = Path(f"/usr/lib/postgresql/{version // 10000}/bin/pg_dump")
    found = str(packaged) if packaged.exists() else shutil.which("pg_dump")
    assert found, f"no pg_dump for PostgreSQL {version // 10000}: install its client"
    return found


def found_in(dump: bytes, secrets: list[str]) -> list[str]:
    return [secret for secret in secrets if secret.encode() in dump]


async def test_database_copy_reveals_no_secret(world: World, tmp_path: Path) -> None:
    ana = world.emulator.user("anatgnombre")  # Telegram names: never stored
    luz = world.emulator.user("luztgnombre")
    await ana.send("/start")
    await ana.receives(containing="alias")
    await ana.send(ALIAS)
    await ana.receives(containing=ALIAS)
    await ana.send(f"/invite {LABEL}")
    invitation = await ana.receives(containing="https://t.me/")
    token = invitation.text.rsplit("start=", 1)[1].split()[0]
    await luz.send(f"/start {token}")
    offer = await luz.receives(containing=ALIAS)
    await luz.press(offer, offer.buttons()[0])
    await luz.receives(containing=said("alias.first"))
    await luz.send(CONTACT_ALIAS)
    asked = await ana.receives(containing=CONTACT_ALIAS)
    await ana.press(asked, said("button.contact_yes"))
    await ana.receives(containing=said("contacts.confirmed_ok", label=LABEL))
    await short_checkin(ana, DETAILS)
    await ana.send_location(LAT, LON)
    await ana.receives(containing=said("checkin.location_saved"))
    await world.advance(minutes=1, seconds=GRACE + 1)
    await luz.receives(containing="TEST-7788")
    await ana.send("/checkin 2h Otro Hotel Prueba TEST-9911")  # still running: stays sealed
    dump = await database_bytes(world, tmp_path)
    assert len(dump) > 1000
    secrets = [
        ALIAS,
        LABEL,
        CONTACT_ALIAS,
        "Flamingo",
        "TEST-7788",
        "TEST-9911",
        str(LAT),
        str(LON),
        str(ana.id),
        str(luz.id),
        token,
        "Ana",
        "Luz",
    ]
    for secret in secrets:
        assert secret.encode() not in dump, f"a secret of kind #{secrets.index(secret)} leaked"


CODEWORD = "Pistache Violeta Prueba"
SAFE_PIN, DURESS_PIN = "48291375", "73526048"


async def test_code_word_and_pins_are_not_readable_in_the_database(
    world: World, tmp_path: Path
) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await ana.send(f"/codeword {CODEWORD}")
    await ana.receives(containing=said("codeword.choose_reply"))
    await set_pins(ana, SAFE_PIN, DURESS_PIN)
    await ana.send("/checkin 1h")
    await ana.press(await ana.receives(containing=said("checkin.started")), "✅ Estoy bien")
    await ana.receives(containing=said("pin.ask"))
    await ana.send(DURESS_PIN)
    await luz.receives(containing="PELIGRO")
    await ana.send(CODEWORD.upper())
    await luz.receives(containing="palabra clave")
    dump = await database_bytes(world, tmp_path)
    assert len(dump) > 1000
    secrets = [
        CODEWORD,
        CODEWORD.lower(),
        "pistache violeta",
        "Violeta",
        SAFE_PIN,
        DURESS_PIN,
        "argon2",
        "$argon2id",
    ]
    for secret in secrets:
        assert secret.encode() not in dump, f"a secret of kind #{secrets.index(secret)} leaked"


# An alarm kind as a check-in row or a queued message's key would hold it in clear (the
# column names codeword_digest and codeword_reply aside).
ALARM_KIND = re.compile(
    rb"duress|pin_failed|silent_sos|codeword(?!_digest|_reply)|:(?:alert|sos):\d+:"
)


async def test_database_copy_names_no_alarm_kind(world: World, tmp_path: Path) -> None:
    """After a duress PIN and a code word, with alerts queued and sent, a copy does not say
    which alarm went off: the kind is sealed in the check-in's state, the messages' keys are
    digests."""
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await ana.send(f"/codeword {CODEWORD}")
    await ana.receives(containing=said("codeword.choose_reply"))
    await set_pins(ana, SAFE_PIN, DURESS_PIN)
    await ana.send("/checkin 1h")
    await ana.press(await ana.receives(containing=said("checkin.started")), "✅ Estoy bien")
    await ana.receives(containing=said("pin.ask"))
    await ana.send(DURESS_PIN)
    await luz.receives(containing="PELIGRO")
    await ana.send(CODEWORD.upper())
    await luz.receives(containing="palabra clave")
    dump = await database_bytes(world, tmp_path)
    assert len(dump) > 1000
    assert not sorted({found.group(0) for found in ALARM_KIND.finditer(dump)})


# Tables that may hold no row at the moment of the copy, and why. Each other table must have
# rows, or the search above proves nothing about it.
EXPECTED_EMPTY: dict[str, str] = {
    "handled_updates": "webhook mode only; Telegram's update ids and when, nothing else",
    "send_pace": "several replicas only; one number: when the next message may go",
}
NETWORK, WARNING = "Red Secreta Prueba", "Tatuaje de dragón en el brazo, chamarra roja"
PHONE, PLATE = "55 4321 8765", "XYZ-4321"
PINS = ("39184726", "62840195")
GUAVA = "Guayaba Morada Prueba"
CHECKIN = "Motel Girasol Prueba hab 21, placa TEST-6655"
PENDING = "Rosalinda Pendiente"
RECORD = ("Bodega Escondida Prueba", "Me retuvo el documento, prueba", "Güero Prueba Lentes")
SUPPORT_CASE = "Pedido de acompañamiento Prueba: me quitaron el teléfono"


async def row_counts(world: World) -> dict[str, int]:
    """Rows in each table of the models, and a check that the models name every table the
    migrations made (a table they miss would escape the copy's search on PostgreSQL)."""
    async with world.bot.core.db.engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        counts = {}
        for table in Base.metadata.sorted_tables:
            rows = await connection.execute(select(func.count()).select_from(table))
            counts[table.name] = rows.scalar_one()
    assert set(tables) - {"alembic_version"} == set(counts)
    return counts


async def test_every_table_has_rows_and_none_reveals_a_secret(
    world: World, tmp_path: Path
) -> None:
    marisol, valentina, jimena = await world.members("marisol", "valentina", "jimena")
    await world.link(marisol, valentina)
    await marisol.send(f"/invite {PENDING}")  # never accepted: the invitation stays
    pending = await marisol.receives(containing="https://t.me/")
    await marisol.send(f"/codeword {GUAVA}")
    await marisol.press(
        await marisol.receives(containing=said("codeword.choose_reply")), "Nada (no contestar)"
    )
    await set_pins(marisol, *PINS)
    await marisol.send(f"/checkin 2h {CHECKIN}")
    await marisol.send_location(LAT, LON)
    await marisol.receives(containing=said("checkin.location_saved"))
    await marisol.send("/sos")
    await valentina.receives(containing="EMERGENCIA")

    # A network where a member's invitation needs a second vouch: Jimena waits for it.
    await coordinator(world, marisol, NETWORK, CDMX + "vouches: 2\n")
    await add_member(marisol, valentina)
    await follow(valentina, "Centro")
    review = await write_warning(marisol, text=WARNING, phone=PHONE, plate=PLATE)
    await marisol.press(review, "📣 Enviar")
    warning = await valentina.receives(containing=WARNING)
    await valentina.press(warning, "🙋 A mí también me pasó")
    await valentina.receives(containing=said("warning.marked.me_too", count=1))
    await valentina.send(f"/check {PHONE}")
    await valentina.receives(containing="Hay 1 aviso sobre")
    await valentina.send("/newmember")
    invitation = await valentina.receives(containing="/unirme ")
    join_code = (invitation.text or "").rsplit("/unirme ", 1)[1].split()[0]
    await jimena.send("/turno")  # a shift with a link nobody used yet
    shift_link = await jimena.receives(containing=said("shift.started"))
    shift_token = (shift_link.text or "").rsplit("start=", 1)[1].split()[0]
    await jimena.send(f"/join {join_code}")
    waiting = await jimena.receives(containing="/unirme ")
    vouch_code = (waiting.text or "").rsplit("/unirme ", 1)[1].split()[0]
    await ask_support(valentina, SUPPORT_CASE)  # a support case, waiting for support
    await turn_on(valentina)  # her private record, with one entry
    await add_entry(valentina, where=RECORD[0], what=RECORD[1], who=RECORD[2])

    counts = await row_counts(world)
    dump = await database_bytes(world, tmp_path)
    empty = {table for table, rows in counts.items() if rows == 0}
    assert empty <= set(EXPECTED_EMPTY), f"no rows to search in {sorted(empty)}"
    assert len(dump) > 10_000
    invite_token = (pending.text or "").rsplit("start=", 1)[1].split()[0]
    secrets = [
        *("Marisol", "Valentina", "Jimena", PENDING, invite_token),
        *(str(person.id) for person in (marisol, valentina, jimena)),
        *(shift_token, shift_token.removeprefix("turno_")),
        *(GUAVA, GUAVA.lower(), "guayaba morada", *PINS, "argon2"),
        *(CHECKIN, "Girasol", "TEST-6655", str(LAT), str(LON)),
        *(NETWORK, "Secreta", "Centro", "centro", "Clínica", "Pruebas de VIH"),
        *(WARNING, "Tatuaje", "dragón", "chamarra"),
        *(PHONE, "5543218765", "+525543218765", "4321 8765", PLATE, "XYZ4321"),
        *(join_code, join_code.replace("-", ""), vouch_code, vouch_code.replace("-", "")),
        *RECORD,
        *(SUPPORT_CASE, "violence"),
    ]
    assert not found_in(dump, secrets)
