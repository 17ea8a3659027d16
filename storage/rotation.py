"""`companera rotate-key`: every key wrapped by the master key, rewrapped under a new one.

Only three columns hold values wrapped by the master key: the installation's system keys
(the blind-index root), each member's data key and each network's data key. Everything else
is sealed with those data keys (check-in keys with the member's), and blind indexes derive
from the index root, which keeps its value: nothing but these keys changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from storage.crypto import CryptoError, Keyring
from storage.database import INDEX_KEY, WrongKeyError
from storage.models import MemberRow, NetworkRow, SystemKey

PAGE_SIZE = 1000


class RotationRefused(Exception):
    """The rotation cannot start; nothing was changed."""


@dataclass(frozen=True)
class RotationReport:
    """How many wrapped keys were rewrapped, per table."""

    system_keys: int
    members: int
    networks: int


@dataclass(frozen=True)
class _WrappedColumn:
    """A column of keys wrapped by the master key; each for the owner "<owner>:<row id>"."""

    id: InstrumentedAttribute[str]
    wrapped: InstrumentedAttribute[bytes]
    owner: str


_SYSTEM_KEYS = _WrappedColumn(SystemKey.name, SystemKey.wrapped, "system")
_MEMBERS = _WrappedColumn(MemberRow.id, MemberRow.key_wrapped, "member")
_NETWORKS = _WrappedColumn(NetworkRow.id, NetworkRow.key_wrapped, "network")


async def rotate_master_key(
    engine: AsyncEngine, old_key: bytes, new_key: bytes, *, page_size: int = PAGE_SIZE
) -> RotationReport:
    """Rewrap every key wrapped by `old_key` under `new_key`, in one transaction: either all
    of them open with the new key afterwards, or none changed. The bot must be stopped."""
    if new_key == old_key:
        raise RotationRefused("the new master key is the current one")
    old, new = Keyring(old_key), Keyring(new_key)
    async with AsyncSession(engine) as session, session.begin():
        # On SQLite the engine begins with BEGIN IMMEDIATE: no other writer until commit.
        if engine.dialect.name == "postgresql":
            await session.execute(
                text("LOCK TABLE system_keys, members, networks IN EXCLUSIVE MODE")
            )
        await _check_keys(session, old, new)
        return RotationReport(
            system_keys=await _rewrap(session, _SYSTEM_KEYS, old, new, page_size),
            members=await _rewrap(session, _MEMBERS, old, new, page_size),
            networks=await _rewrap(session, _NETWORKS, old, new, page_size),
        )


async def _check_keys(session: AsyncSession, old: Keyring, new: Keyring) -> None:
    """Refuse before writing anything when the current key does not open the index root."""
    wrapped = await session.scalar(select(SystemKey.wrapped).where(SystemKey.name == INDEX_KEY))
    if wrapped is None:
        raise RotationRefused(
            "this database has no keys yet (the bot never started on it): "
            "start the bot with the new key instead"
        )
    if _opens(old, wrapped):
        return
    if _opens(new, wrapped):
        raise WrongKeyError(
            "the current master key does not open this database, the new one does: "
            "it was already rotated"
        )
    raise WrongKeyError(
        "the current master key does not open this database; was it already rotated?"
    )


def _opens(keyring: Keyring, wrapped: bytes) -> bool:
    try:
        keyring.unwrap(wrapped, "system:index")
    except CryptoError:
        return False
    return True


async def _rewrap(
    session: AsyncSession, column: _WrappedColumn, old: Keyring, new: Keyring, page_size: int
) -> int:
    """Rewrap one column, a page of rows at a time (in id order), all in the caller's
    transaction; returns how many rows it rewrapped."""
    done = 0
    after = ""
    while True:
        page = (
            await session.execute(
                select(column.id, column.wrapped)
                .where(column.id > after)
                .order_by(column.id)
                .limit(page_size)
            )
        ).all()
        if not page:
            return done
        rewrapped = []
        for row_id, wrapped in page:
            owner = f"{column.owner}:{row_id}"
            try:
                key = old.unwrap(wrapped, owner)
            except CryptoError:
                refused = f"the current master key does not open the key of {owner}"
                raise WrongKeyError(f"{refused}; nothing was changed") from None
            rewrapped.append({column.id.key: row_id, column.wrapped.key: new.wrap(key, owner)})
        await session.execute(update(column.id.class_), rewrapped)
        done += len(page)
        after = page[-1][0]
