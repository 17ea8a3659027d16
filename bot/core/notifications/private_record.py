"""Her private record, exported: one document to her own chat, protected from forwarding."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.core.notifications.base import NOT_STORED, Notification, Priority, new_nonce


@dataclass(frozen=True)
class RecordExport(Notification):
    """Every entry of her record (as JSON, oldest first), written into one document in her
    language at send time. The outbox deletes it once Telegram has it."""

    kind = "record.export"
    priority = Priority.INTERACTIVE
    entries: list[str]
    made_at: datetime
    nonce: str = field(default_factory=new_nonce, metadata=NOT_STORED)

    @property
    def idempotency_key(self) -> str:
        return f"record-export:{self.nonce}"
