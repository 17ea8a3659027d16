"""What the domain wants someone told, in domain terms: one frozen dataclass per kind of
message, with the fields it is written from and the key that keeps it from going out twice.
The adapter renders each type through one table (bot/telegram/render); the outbox stores its
kind and fields, and the sender reads them back with `from_payload`.

Importing this package registers every kind: from_payload() knows them all.
"""

from bot.core.notifications.base import (
    NOT_STORED,
    Notification,
    Priority,
    UnknownKind,
    from_payload,
    notification_types,
    type_of,
)
from bot.core.notifications.checkins import (
    Alert,
    AlertAcknowledged,
    AlertLocation,
    AlertResolved,
    AlertSent,
    CheckinLastCall,
    CheckinReminder,
    DetentionNotice,
    DrillReport,
)
from bot.core.notifications.contacts import (
    ContactAccepted,
    ContactConfirmed,
    ContactDeclined,
    ContactForgotten,
    ContactLeft,
    ContactNotConfirmed,
    ContactNotice,
    ContactRemoved,
    ContactToConfirm,
    ContactUnreachable,
    InviteLinkUsed,
)
from bot.core.notifications.members import Announcement, IdleNotice
from bot.core.notifications.networks import (
    NetworkNotice,
    NetworkPassUsed,
    NetworkRemoved,
    NetworkWelcome,
    PeerWarningMessage,
    WarningPublished,
    WarningRejected,
    WarningToReview,
)
from bot.core.notifications.private_record import RecordExport
from bot.core.notifications.replies import Reply, reply_key
from bot.core.notifications.support import (
    CaseEnded,
    CaseNew,
    CaseRelayed,
    CaseReminder,
    CaseTaken,
)

__all__ = [
    "NOT_STORED",
    "Alert",
    "AlertAcknowledged",
    "AlertLocation",
    "AlertResolved",
    "AlertSent",
    "Announcement",
    "CaseEnded",
    "CaseNew",
    "CaseRelayed",
    "CaseReminder",
    "CaseTaken",
    "CheckinLastCall",
    "CheckinReminder",
    "ContactAccepted",
    "ContactConfirmed",
    "ContactDeclined",
    "ContactForgotten",
    "ContactLeft",
    "ContactNotConfirmed",
    "ContactNotice",
    "ContactRemoved",
    "ContactToConfirm",
    "ContactUnreachable",
    "DetentionNotice",
    "DrillReport",
    "IdleNotice",
    "InviteLinkUsed",
    "NetworkNotice",
    "NetworkPassUsed",
    "NetworkRemoved",
    "NetworkWelcome",
    "Notification",
    "PeerWarningMessage",
    "Priority",
    "RecordExport",
    "Reply",
    "UnknownKind",
    "WarningPublished",
    "WarningRejected",
    "WarningToReview",
    "from_payload",
    "notification_types",
    "reply_key",
    "type_of",
]
