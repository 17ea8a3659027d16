"""Networks and peer warnings: a published warning for its followers, and notices about
memberships and moderation."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.notifications.base import NOT_STORED, Notification, Priority


@dataclass(frozen=True)
class PeerWarningMessage(Notification):
    """A published warning, for a member who follows its area; never who reported it."""

    kind = "warning"
    priority = Priority.BROADCAST
    warning_id: str
    network: str
    category: str = field(metadata={"stored_as": "kind"})  # violent, robbery, ...
    area: str
    when: str  # today, yesterday, week, earlier
    day: str  # the day it was sent (ISO), from which `when` counts
    text: str
    phone: str = ""
    plate: str = ""
    name: str = ""
    me_too: int = 0

    @property
    def idempotency_key(self) -> str:
        return f"wn:{self.warning_id}:{self.recipient_id}"


@dataclass(frozen=True)
class NetworkNotice(Notification):
    """Told to a member about one of her networks."""

    priority = Priority.INTERACTIVE
    network: str


@dataclass(frozen=True)
class NetworkWelcome(NetworkNotice):
    kind = "network.welcome"
    membership_id: str = field(metadata=NOT_STORED)

    @property
    def idempotency_key(self) -> str:
        return f"nw:{self.membership_id}:welcome"


@dataclass(frozen=True)
class NetworkPassUsed(NetworkNotice):
    kind = "network.pass_used"
    pass_id: str = field(metadata=NOT_STORED)

    @property
    def idempotency_key(self) -> str:
        return f"np:{self.pass_id}:used"


@dataclass(frozen=True)
class NetworkRemoved(NetworkNotice):
    kind = "network.removed"
    membership_id: str = field(metadata=NOT_STORED)

    @property
    def idempotency_key(self) -> str:
        return f"nw:{self.membership_id}:removed"


@dataclass(frozen=True)
class WarningToReview(NetworkNotice):
    """For a coordinator (`coordinator_id`, her membership): a warning waits, new or
    flagged (`reason`)."""

    kind = "warning.to_review"
    warning_id: str = field(metadata=NOT_STORED)
    reason: str = field(metadata=NOT_STORED)  # pending, flagged
    coordinator_id: str = field(metadata=NOT_STORED)

    @property
    def idempotency_key(self) -> str:
        return f"wn:{self.warning_id}:{self.reason}:{self.coordinator_id}"


@dataclass(frozen=True)
class WarningPublished(Notification):
    """For the reporter: a coordinator published her warning."""

    kind = "warning.published"
    priority = Priority.INTERACTIVE
    warning_id: str = field(metadata=NOT_STORED)

    @property
    def idempotency_key(self) -> str:
        return f"wn:{self.warning_id}:{self.kind}"


@dataclass(frozen=True)
class WarningRejected(WarningPublished):
    """For the reporter: a coordinator did not publish her warning."""

    kind = "warning.rejected"
