"""What a handler answers: a catalog message the adapter composed, rendered at send time
in her language."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.core.notifications.base import NOT_STORED, Notification, Priority, new_nonce


@dataclass(frozen=True)
class Reply(Notification):
    """A catalog message in answer to her update. With `delete_first`, her message (it held
    details, a PIN or a code word) is deleted first, and `key_if_kept` is said instead of
    `key` if Telegram keeps it; without `key` there is only the deletion."""

    kind = "reply"
    key: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    markup: dict[str, Any] | None = None  # an inline keyboard, as the Bot API writes it
    protect: bool = False
    delete_first: int | None = None
    key_if_kept: str | None = None
    priority: Priority = field(default=Priority.INTERACTIVE, metadata=NOT_STORED)
    nonce: str = field(default_factory=new_nonce, metadata=NOT_STORED)

    @property
    def idempotency_key(self) -> str:
        return reply_key(self.nonce)  # a reply answers one update once


def reply_key(nonce: str) -> str:
    """The idempotency key of the reply with this nonce: a message found again by it."""
    return f"reply:{nonce}"
