"""Accompaniment (/apoyo): a case to the network's support coordinators, each message relayed
between her and the coordinator who took it, closed, deleted, reminded. She is named by her
alias only; the coordinator by her role and network only ("Acompañamiento — Red Mixco")."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.notifications.base import NOT_STORED, Notification, Priority


@dataclass(frozen=True)
class CaseNew(Notification):
    """To a support coordinator: a new case in her network (its kind, her alias); its text
    only once she takes it."""

    kind = "support.new"
    priority = Priority.INTERACTIVE
    network: str
    case_kind: str
    alias: str
    address: str
    case_id: str

    @property
    def idempotency_key(self) -> str:
        return f"sp:{self.case_id}:new:{self.recipient_id}"


@dataclass(frozen=True)
class CaseReminder(Notification):
    """To a support coordinator: a case nobody answered; `minutes`: since it was opened."""

    kind = "support.reminder"
    priority = Priority.INTERACTIVE
    network: str
    case_kind: str
    alias: str
    address: str
    minutes: int
    case_id: str
    taken: bool = False
    version: int = field(default=0, metadata=NOT_STORED)

    @property
    def idempotency_key(self) -> str:
        return f"sp:{self.case_id}:remind:{self.version}:{self.recipient_id}"


@dataclass(frozen=True)
class CaseTaken(Notification):
    """To her: someone of her network's support took her case."""

    kind = "support.taken"
    priority = Priority.INTERACTIVE
    network: str
    case_id: str
    taker_id: str = field(default="", metadata=NOT_STORED)  # taken again: told again

    @property
    def idempotency_key(self) -> str:
        return f"sp:{self.case_id}:taken:{self.taker_id}:{self.recipient_id}"


@dataclass(frozen=True)
class CaseRelayed(Notification):
    """A message of the case, relayed: to her from support (`to_support` False, headed by
    the role and network), or to the coordinator from her (headed by her alias). Sent
    protected: it cannot be forwarded or saved."""

    kind = "support.message"
    priority = Priority.INTERACTIVE
    network: str
    text: str
    to_support: bool
    alias: str
    case_id: str
    number: int = field(default=0, metadata=NOT_STORED)

    @property
    def idempotency_key(self) -> str:
        return f"sp:{self.case_id}:msg:{self.number}:{self.recipient_id}"


@dataclass(frozen=True)
class CaseEnded(Notification):
    """To the other side: the case was closed (`how`: "closed"), deleted by her
    ("deleted"), or went back to the queue because the coordinator left ("requeued")."""

    kind = "support.ended"
    priority = Priority.INTERACTIVE
    network: str
    how: str
    to_support: bool
    alias: str
    case_id: str = field(default="", metadata=NOT_STORED)

    @property
    def idempotency_key(self) -> str:
        return f"sp:{self.case_id}:{self.how}:{self.recipient_id}"
