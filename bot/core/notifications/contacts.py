"""Trusted contacts: each side of a link told what the other did."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.core.notifications.base import NOT_STORED, Notification, Priority


@dataclass(frozen=True)
class ContactNotice(Notification):
    """Told to one side of a link about the other (`label`: her name for them)."""

    priority = Priority.INTERACTIVE
    label: str


@dataclass(frozen=True)
class ContactAccepted(ContactNotice):
    kind = "contacts.accepted"
    link_id: str = field(metadata=NOT_STORED)

    @property
    def idempotency_key(self) -> str:
        return f"ct:{self.link_id}:accepted"


@dataclass(frozen=True)
class ContactDeclined(ContactNotice):
    kind = "contacts.declined"
    invite_id: str = field(metadata=NOT_STORED)

    @property
    def idempotency_key(self) -> str:
        return f"iv:{self.invite_id}:declined"


@dataclass(frozen=True)
class ContactLeft(ContactNotice):
    kind = "contacts.left"
    link_id: str = field(metadata=NOT_STORED)

    @property
    def idempotency_key(self) -> str:
        return f"ct:{self.link_id}:left"


@dataclass(frozen=True)
class ContactUnreachable(ContactNotice):
    """Telegram no longer delivers to her contact: alerts skip them until they are back."""

    kind = "contacts.unreachable"
    priority = Priority.REMINDER
    link_id: str = field(metadata=NOT_STORED)
    since: datetime = field(metadata=NOT_STORED)

    @property
    def idempotency_key(self) -> str:
        return f"ct:{self.link_id}:unreachable:{self.since.isoformat()}"


@dataclass(frozen=True)
class ContactForgotten(ContactNotice):
    """The other side of a link used /forget (`who`: "worker" or "contact")."""

    kind = "contacts.forgotten"
    link_id: str = field(metadata=NOT_STORED)
    who: str = field(metadata=NOT_STORED)

    @property
    def idempotency_key(self) -> str:
        return f"fg:{self.link_id}:{self.who}"


@dataclass(frozen=True)
class ContactRemoved(Notification):
    """The worker (`alias`) removed this contact."""

    kind = "contacts.removed"
    priority = Priority.INTERACTIVE
    alias: str
    link_id: str = field(metadata=NOT_STORED)

    @property
    def idempotency_key(self) -> str:
        return f"ct:{self.link_id}:removed"
