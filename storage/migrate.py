"""Alembic migrations, run from async code: `companera migrate` and every start."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).parent / "migrations"
_LOCK = 0x6D696772  # the advisory lock held while migrating


def alembic_config(url: str = "") -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url)
    return config


async def upgrade(
    engine: AsyncEngine, revision: str = "head", *, master_key: bytes | None = None
) -> None:
    """Bring the schema to `revision` on the engine's database. A migration that seals
    values of existing rows (0010) needs the master key; on an empty database none does."""
    await _run(engine, lambda config: command.upgrade(config, revision), master_key)


async def downgrade(
    engine: AsyncEngine, revision: str, *, master_key: bytes | None = None
) -> None:
    await _run(engine, lambda config: command.downgrade(config, revision), master_key)


async def _run(engine: AsyncEngine, action: object, master_key: bytes | None) -> None:
    def run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        config.attributes["master_key"] = master_key
        action(config)  # type: ignore[operator]

    async with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            # Replicas started together migrate one after the other; the later ones find
            # nothing left to do. Released at the commit.
            await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK})
        await connection.run_sync(run)
        await connection.commit()
