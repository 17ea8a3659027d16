"""Shift partners: each partner told who joined, who left, and that the shift ended."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.notifications.base import NOT_STORED, Notification, Priority


@dataclass(frozen=True)
class ShiftNotice(Notification):
    """Told to a partner about another (`alias`: hers; `address`: her form of address)."""

    priority = Priority.INTERACTIVE
    alias: str
    address: str
    shift_id: str = field(metadata=NOT_STORED)
    about_id: str = field(metadata=NOT_STORED)


@dataclass(frozen=True)
class ShiftJoined(ShiftNotice):
    kind = "shifts.joined"

    @property
    def idempotency_key(self) -> str:
        return f"sh:{self.shift_id}:{self.about_id}:joined:{self.recipient_id}"


@dataclass(frozen=True)
class ShiftLeft(ShiftNotice):
    kind = "shifts.left"

    @property
    def idempotency_key(self) -> str:
        return f"sh:{self.shift_id}:{self.about_id}:left:{self.recipient_id}"


@dataclass(frozen=True)
class ShiftEnded(Notification):
    """The shift is over (its time ran out): nothing of it is kept."""

    kind = "shifts.ended"
    priority = Priority.INTERACTIVE
    shift_id: str = field(metadata=NOT_STORED)

    @property
    def idempotency_key(self) -> str:
        return f"sh:{self.shift_id}:ended:{self.recipient_id}"
