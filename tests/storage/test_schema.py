"""Migrations walk up, down and up again, and the models match them."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from storage.database import make_engine
from storage.migrate import downgrade, upgrade
from storage.models import Base
from tests.support.db import fresh_database_url


async def test_stairway_up_down_up(tmp_path: Path) -> None:
    async with fresh_database_url(tmp_path) as url:
        engine = make_engine(url)
        try:
            await upgrade(engine)
            await downgrade(engine, "base")
            async with engine.connect() as connection:
                tables = await connection.run_sync(lambda c: inspect(c).get_table_names())
            assert set(tables) <= {"alembic_version"}
            await upgrade(engine)
        finally:
            await engine.dispose()


async def test_models_match_the_migrations(tmp_path: Path) -> None:
    def differences(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    async with fresh_database_url(tmp_path) as url:
        engine = make_engine(url)
        try:
            await upgrade(engine)
            async with engine.connect() as connection:
                assert await connection.run_sync(differences) == []
        finally:
            await engine.dispose()
