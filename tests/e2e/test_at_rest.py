"""After a full flow, a copy of the database without the key reveals none of the secrets."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from storage.models import Base
from tests.e2e.conftest import GRACE, World, set_pins

ALIAS, LABEL = "Anabella Prueba", "Lucecita Prueba"
DETAILS = "Hotel Flamingo Prueba hab 12, placa TEST-7788"
LAT, LON = 19.4326, -99.1332


async def database_bytes(world: World, tmp_path: Path) -> bytes:
    """Every byte the database holds: the SQLite files, or every value of every table."""
    if world.database_url.startswith("sqlite"):
        files = [tmp_path / "companera.db", tmp_path / "companera.db-wal"]
        return b"".join(f.read_bytes() for f in files if f.exists())
    chunks = []
    async with world.bot.core.db.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for row in await connection.execute(text(f"SELECT * FROM {table.name}")):
                chunks.extend(v if isinstance(v, bytes) else str(v).encode() for v in row)
    return b"\n".join(chunks)


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
    await ana.receives(containing=LABEL)
    await ana.send(f"/checkin 1m {DETAILS}")
    await ana.send_location(LAT, LON)
    await ana.receives(containing="Ubicación guardada")
    await world.advance(minutes=1, seconds=GRACE + 1)
    await luz.receives(containing="TEST-7788")
    await ana.send("/checkin 2h Otro Hotel Prueba TEST-9911")  # still running: stays sealed
    dump = await database_bytes(world, tmp_path)
    assert len(dump) > 1000
    secrets = [
        ALIAS,
        LABEL,
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
    await ana.receives(containing="qué contesto")
    await set_pins(ana, SAFE_PIN, DURESS_PIN)
    await ana.send("/checkin 1h")
    await ana.press(await ana.receives(containing="tienes hasta las"), "✅ Estoy bien")
    await ana.receives(containing="Escribe tu PIN")
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
