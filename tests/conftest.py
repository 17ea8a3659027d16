"""Fixtures shared by every test: a fake clock and a migrated database with a fresh key."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import core_from
from bot.config import Settings
from bot.core.context import Core
from storage.crypto import Keyring, new_key
from storage.database import Database
from tests.support.clock import FakeClock
from tests.support.db import migrated_engine


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    async with migrated_engine(tmp_path) as engine:
        db = Database(engine, Keyring(new_key()))
        await db.open()
        yield db


@pytest.fixture
def core(database: Database, clock: FakeClock) -> Core:
    """The core with the default settings (tests construct their own `Settings` to differ)."""
    return core_from(Settings(), database, clock)
