"""Filling a benchmark's database fast, through the real sealing code.

The repositories write one row at a time (`members.add` flushes, `checkins.add` executes its
own INSERT): right for the bot, slow for a million rows. Inside `batched(uow)`, the same
repository calls (so the same keys, wrapping and sealing) only gather their rows: the ORM
rows are flushed together at the end and each single-row INSERT is sent as multi-row
statements (SQLAlchemy's "insertmanyvalues"), `CHUNK` rows at a time.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Insert

from storage.database import UnitOfWork

CHUNK = 1000


@asynccontextmanager
async def batched(uow: UnitOfWork) -> AsyncIterator[None]:
    """Within it, the session's flushes wait and single-row Core inserts gather; on the way
    out the rows are written (the caller commits). Only for code that reads nothing back
    of what it adds but the members' own keys (which the repository keeps in memory)."""
    session = uow.session
    gathered: dict[Any, list[Mapping[str, Any]]] = {}
    objects: dict[type, list[object]] = {}  # ORM rows by table, in the order first added
    execute = session.execute

    def add(instance: object, _warn: bool = True) -> None:
        objects.setdefault(type(instance), []).append(instance)

    async def gather(statement: Any, params: Any = None, *args: Any, **kwargs: Any) -> Any:
        if isinstance(statement, Insert) and isinstance(params, Mapping):
            gathered.setdefault(statement, []).append(params)
            return None
        return await execute(statement, params, *args, **kwargs)

    async def later(*_args: Any, **_kwargs: Any) -> None:
        return None

    session.execute = gather  # type: ignore[method-assign]
    session.flush = later  # type: ignore[method-assign]
    session.add = add  # type: ignore[method-assign]
    try:
        yield
    finally:
        del session.execute
        del session.flush
        del session.add
    # A table's rows after those of the tables they refer to (members, then contacts), as
    # the repositories added them: the ORM alone does not know the order without relations.
    for rows in objects.values():
        for start in range(0, len(rows), CHUNK):
            session.add_all(rows[start : start + CHUNK])
            await session.flush()
    for statement, rows in gathered.items():
        for start in range(0, len(rows), CHUNK):
            await session.execute(statement, list(rows[start : start + CHUNK]))
