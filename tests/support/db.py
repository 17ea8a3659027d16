"""A fresh, migrated database per test: SQLite by default, PostgreSQL when
COMPANERA_TEST_DATABASE_URL names a server (the admin database, e.g. .../postgres)."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.database import make_engine
from storage.migrate import upgrade

TEST_DATABASE_URL = os.environ.get("COMPANERA_TEST_DATABASE_URL", "")


def backend() -> str:
    return "postgresql" if TEST_DATABASE_URL else "sqlite"


@asynccontextmanager
async def fresh_database_url(
    tmp_path: Path, server: str = TEST_DATABASE_URL, prefix: str = "companera_test_"
) -> AsyncIterator[str]:
    """Yield the url of an empty database that exists only for this test (or benchmark):
    a SQLite file in `tmp_path`, or a new database on the server of `server` (the url of
    its admin database), dropped afterwards."""
    if not server:
        yield f"sqlite+aiosqlite:///{tmp_path / 'companera.db'}"
        return
    name = prefix + secrets.token_hex(6)
    admin = make_engine(server)
    async with admin.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    base, _, _ = server.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        async with admin.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


@asynccontextmanager
async def migrated_engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    async with fresh_database_url(tmp_path) as url:
        engine = make_engine(url)
        await upgrade(engine)
        try:
            yield engine
        finally:
            await engine.dispose()
