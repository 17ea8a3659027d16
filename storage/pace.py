"""The send budget shared by replicas: one row holding the theoretical time of the next
message for all of them together (the generic cell rate algorithm, with the database as
the one clock and the one counter).

A replica asks for as many messages as it can send right now and is granted those that
fit the pace, to send at once; the answer also says when the next one will fit. A replica
that is late asks later and loses nothing, and none can send early: in any second, all of
them together send at most the rate plus the tolerance."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

_NAME = "telegram"
_NOW = "extract(epoch from clock_timestamp())"
_READ = text(f"SELECT next_slot, {_NOW} FROM send_pace WHERE name = :name FOR UPDATE")
_CREATE = text(
    f"INSERT INTO send_pace (name, next_slot) VALUES (:name, {_NOW}) ON CONFLICT (name) DO NOTHING"
)
_WRITE = text("UPDATE send_pace SET next_slot = :next_slot WHERE name = :name")
_HOLD = text(
    f"""
    INSERT INTO send_pace (name, next_slot) VALUES (:name, {_NOW} + :seconds)
    ON CONFLICT (name) DO UPDATE
        SET next_slot = GREATEST(send_pace.next_slot, {_NOW} + :seconds)
    """
)


@dataclass(frozen=True)
class Grant:
    """`count` messages may go now; the next fits `next_in` seconds from now."""

    count: int
    next_in: float
    next_slot: float  # the budget's new theoretical time (seconds since the epoch)


def grant(next_slot: float, now: float, wanted: int, interval: float, tolerance: float) -> Grant:
    """The cell rate algorithm: a message fits when the theoretical time of the next one is
    at most `tolerance` ahead of `now`; each one moves it `interval` on."""
    base = max(next_slot, now)
    room = (now + tolerance - base) / interval + 1e-9  # 0.99999... of a slot is one
    fits = int(room) + 1 if room >= 0 else 0
    count = max(0, min(wanted, fits))
    after = base + count * interval
    return Grant(count, max(0.0, after - tolerance - now), after)


class SendBudget:
    """PostgreSQL only: SQLite means one process, whose own pacer is the whole budget."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def take(self, wanted: int, interval: float, tolerance: float) -> Grant:
        """Up to `wanted` messages of the shared pace, to send now. The row stays locked
        until the caller commits: one replica at a time, a millisecond each."""
        row = (await self._session.execute(_READ, {"name": _NAME})).first()
        if row is None:
            await self._session.execute(_CREATE, {"name": _NAME})
            row = (await self._session.execute(_READ, {"name": _NAME})).one()
        given = grant(float(row[0]), float(row[1]), wanted, interval, tolerance)
        if given.count:
            await self._session.execute(_WRITE, {"name": _NAME, "next_slot": given.next_slot})
        return given

    async def hold(self, seconds: float) -> None:
        """Nobody sends for `seconds` (Telegram answered 429 to several chats at once)."""
        await self._session.execute(_HOLD, {"name": _NAME, "seconds": seconds})
