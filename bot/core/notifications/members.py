"""What every member may be told: an operator's announcement, the idle notice."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bot.core.notifications.base import NOT_STORED, Notification, Priority


@dataclass(frozen=True)
class IdleNotice(Notification):
    """Not seen for months: forgotten in `days` days unless she comes back."""

    kind = "members.idle_notice"
    priority = Priority.BROADCAST
    days: int
    told_on: date = field(metadata=NOT_STORED)

    @property
    def idempotency_key(self) -> str:
        return f"idle:{self.recipient_id}:{self.told_on.isoformat()}"


@dataclass(frozen=True)
class Announcement(Notification):
    """An operator's announcement to every member."""

    kind = "announcement"
    priority = Priority.BROADCAST
    text: str
    batch: str = field(metadata=NOT_STORED)

    @property
    def idempotency_key(self) -> str:
        return f"announce:{self.batch}:{self.recipient_id}"
