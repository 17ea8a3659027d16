"""The send budget shared by replicas: one row holding when the next message may go.

Each replica reserves a few consecutive send slots at a time (the generic cell rate
algorithm, with the database as the one clock and the one counter), so that all replicas
together keep Telegram's global pace, evenly spread rather than in bursts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

_NAME = "telegram"
_NOW = "extract(epoch from statement_timestamp())"
_RESERVE = text(
    f"""
    INSERT INTO send_pace (name, next_slot) VALUES (:name, {_NOW} + :span)
    ON CONFLICT (name) DO UPDATE
        SET next_slot = GREATEST(send_pace.next_slot, {_NOW}) + :span
    RETURNING next_slot, {_NOW}
    """
)
_HOLD = text(
    f"""
    INSERT INTO send_pace (name, next_slot) VALUES (:name, {_NOW} + :seconds)
    ON CONFLICT (name) DO UPDATE
        SET next_slot = GREATEST(send_pace.next_slot, {_NOW} + :seconds)
    """
)


@dataclass(frozen=True)
class Slots:
    """`count` slots `interval` seconds apart from `first`, and the database's clock when
    they were granted (both in seconds since the epoch, by the database's clock)."""

    first: float
    count: int
    interval: float
    granted_at: float

    def times(self) -> list[float]:
        return [self.first + i * self.interval for i in range(self.count)]


class SendBudget:
    """PostgreSQL only: SQLite means one process, whose own pacer is the whole budget."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def reserve(self, count: int, interval: float) -> Slots:
        """The next `count` slots of the shared pace, one every `interval` seconds."""
        row = (
            await self._session.execute(
                _RESERVE, {"name": _NAME, "span": count * interval}
            )
        ).one()
        next_slot, now = float(row[0]), float(row[1])
        return Slots(next_slot - count * interval, count, interval, now)

    async def hold(self, seconds: float) -> None:
        """Nobody sends for `seconds` (Telegram answered 429 to several chats at once)."""
        await self._session.execute(_HOLD, {"name": _NAME, "seconds": seconds})
