"""What the domain wants someone told, in domain terms; the adapter renders it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any


class Priority(IntEnum):
    """Lower goes first: alert > SOS > reminder > interactive reply > broadcast."""

    ALERT = 0
    SOS = 1
    REMINDER = 2
    INTERACTIVE = 3
    BROADCAST = 4


@dataclass(frozen=True)
class Notification:
    recipient_id: str
    kind: str
    priority: Priority
    key: str
    params: dict[str, Any] = field(default_factory=dict)

    def payload(self) -> dict[str, Any]:
        return {"kind": self.kind, "params": self.params}
