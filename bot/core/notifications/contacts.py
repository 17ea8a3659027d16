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
    """Rows queued before the worker had to confirm who accepted her link still read."""

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


@dataclass(frozen=True)
class ContactToConfirm(Notification):
    """Someone accepted her invitation (`label`: her name on it, maybe empty): she is shown
    the account's own `alias` and asked whether it is her contact. `token` goes in her
    buttons; the link counts for nothing until she taps "Sí"."""

    kind = "contacts.to_confirm"
    priority = Priority.INTERACTIVE
    label: str
    alias: str
    token: str
    link_id: str = field(metadata=NOT_STORED)

    @property
    def idempotency_key(self) -> str:
        return f"ct:{self.link_id}:to_confirm"


@dataclass(frozen=True)
class ContactConfirmed(Notification):
    """The worker (`alias`) confirmed the account that accepted her invitation."""

    kind = "contacts.confirmed"
    priority = Priority.INTERACTIVE
    alias: str
    link_id: str = field(metadata=NOT_STORED)

    @property
    def idempotency_key(self) -> str:
        return f"ct:{self.link_id}:confirmed"


@dataclass(frozen=True)
class ContactNotConfirmed(Notification):
    """The invitation this account accepted was not confirmed (she said no, or never
    answered): told with no name and no detail."""

    kind = "contacts.not_confirmed"
    priority = Priority.INTERACTIVE
    link_id: str = field(metadata=NOT_STORED)

    @property
    def idempotency_key(self) -> str:
        return f"ct:{self.link_id}:not_confirmed"


@dataclass(frozen=True)
class InviteLinkUsed(Notification):
    """Her message with an invitation link (`message_id` in her chat) is edited to say the
    link was used: the link leaves her chat."""

    kind = "invite.link_used"
    priority = Priority.INTERACTIVE
    message_id: int
    invite_id: str = field(metadata=NOT_STORED)

    @property
    def idempotency_key(self) -> str:
        return f"iv:{self.invite_id}:used"
