"""Which database errors are worth a retry (the webhook answers 503 for those)."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from storage.database import is_transient


class Orig(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__("fake")
        self.sqlstate = sqlstate


@pytest.mark.parametrize("state", ["55P03", "57014", "40001", "40P01", "08006", "53300"])
def test_timeouts_deadlocks_and_lost_connections_are_transient(state: str) -> None:
    assert is_transient(DBAPIError("SELECT", {}, Orig(state)))


@pytest.mark.parametrize("state", ["23505", "42P01", "22P02"])
def test_our_mistakes_are_not(state: str) -> None:
    assert not is_transient(DBAPIError("SELECT", {}, Orig(state)))
    assert not is_transient(IntegrityError("INSERT", {}, Orig(state)))


def test_operational_errors_and_os_errors_are() -> None:
    assert is_transient(OperationalError("SELECT", {}, Exception("away")))
    assert is_transient(ConnectionRefusedError())
    assert not is_transient(ValueError("a bug"))
