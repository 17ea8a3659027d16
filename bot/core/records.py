"""The domain's records and enums: plain values that repositories return (plaintext after
unsealing, never ORM rows) and take."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    """Where a check-in is: running, alerted (her contacts were told), or over."""

    ACTIVE = "active"
    ALERTED = "alerted"
    SAFE = "safe"
    EXPIRED = "expired"


class Alarm(StrEnum):
    """Why her contacts are alerted; they see which in the alert's first line."""

    MISSED = "missed"  # she did not check in by deadline + grace
    SOS = "sos"  # /sos or the SOS button
    CODEWORD = "codeword"  # she sent her code word
    DURESS = "duress"  # she "checked in" with her duress PIN
    PIN_FAILED = "pin_failed"  # a wrong PIN three times: her chat shows it as accepted
    SILENT_SOS = "silent_sos"  # /sos in discreet mode: her chat shows an unknown command
    DETAINED = "detained"  # /detenida: the police hold her; her chat shows what /sos shows
    SILENT_DETAINED = "silent_detained"  # /detenida in discreet mode: as SILENT_SOS


HIDDEN_ALARMS = frozenset(
    {Alarm.CODEWORD, Alarm.DURESS, Alarm.PIN_FAILED, Alarm.SILENT_SOS, Alarm.SILENT_DETAINED}
)
"""Silent alarms her chat must never show: each is a check-in of its own that her running
check-in (`open_for`) never is; to her, and to anyone beside her, nothing happened."""

DETENTION_ALARMS = frozenset({Alarm.DETAINED, Alarm.SILENT_DETAINED})
"""The police detain or hold her: her contacts read her network's `legal:` section (else: her
organisation or a lawyer, never the police), and her networks' legal coordinators are told."""


class Stage(StrEnum):
    """Which reminder or alert of a check-in has gone out last."""

    NONE = "none"
    REMINDED = "reminded"
    LAST_CALL = "last_call"
    ALERTED = "alerted"


class Role(StrEnum):
    MEMBER = "member"
    COORDINATOR = "coordinator"


class MembershipStatus(StrEnum):
    ACTIVE = "active"
    CANDIDATE = "candidate"  # waits for vouches


class PassKind(StrEnum):
    COORDINATOR = "coordinator"
    MEMBER = "member"
    INVITE = "invite"  # a member's invitation: the candidate waits for vouches
    VOUCH = "vouch"  # a candidate's code, for members to vouch with


class WarningStatus(StrEnum):
    PENDING = "pending"
    PUBLISHED = "published"
    FLAGGED = "flagged"  # stays up until a coordinator decides


class Address(StrEnum):
    """How the bot speaks to her, and how her contacts read about her: ella, él, or neutral
    wording (elle). The catalog's base texts are feminine; `.he` and `.neutral` variants."""

    SHE = "she"
    HE = "he"
    NEUTRAL = "neutral"


class PinMatch(StrEnum):
    """Which of her PINs she typed: the safety PIN, the duress PIN, or neither."""

    SAFE = "safe"
    DURESS = "duress"
    WRONG = "wrong"


def new_id() -> str:
    """A random row id: 128 bits, hex; it reveals nothing about the row."""
    return secrets.token_hex(16)


@dataclass(frozen=True)
class Conversation:
    """Where a member is in a multi-step flow, kept in the database (sealed), not in memory."""

    step: str
    data: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Member:
    id: str
    chat_id: int
    alias: str | None
    language: str
    timezone: str
    conversation: Conversation | None
    created_at: datetime
    last_seen_at: datetime
    discreet: bool = False  # neutral wording in her chat: "appointment", not "check-in"
    address: Address = Address.NEUTRAL  # her form of address (ella, él, neutral)
    legal_support: bool = False  # a coordinator who receives her networks' detention alarms
    checklist: bool = False  # the checklist before a date, when she starts a check-in
    record_days: int = 0  # her private record (/registro): kept this many days; 0: off
    share_partners: bool = False  # her details and location reach her shift partners too
    support: bool = False  # a coordinator who takes her networks' support cases (/casos)


@dataclass(frozen=True)
class SafetySettings:
    """What she has set up, never the secrets themselves."""

    has_codeword: bool
    codeword_reply: str | None
    has_pins: bool
    has_detention_word: bool = False  # a second code word: the police hold her


@dataclass(frozen=True)
class Invite:
    id: str
    worker_id: str
    label: str | None
    expires_at: datetime
    used_at: datetime | None


@dataclass(frozen=True)
class Contact:
    """A link from a worker to someone she trusts; `label` is the worker's name for her."""

    id: str
    worker_id: str
    contact_id: str
    label: str | None
    created_at: datetime
    unreachable_at: datetime | None


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float
    at: datetime | None = None  # when it was received (a live location moves)


@dataclass(frozen=True)
class PartnerNote:
    """What a shift partner saw, added to her friend's running check-in ("Anotar para
    Luz"): text, a pin, or both. Sealed with the check-in's key, with her details."""

    author_id: str
    alias: str  # the partner's, as the alert names her
    text: str
    location: Location | None
    at: datetime


@dataclass(frozen=True)
class CheckIn:
    id: str
    member_id: str
    status: Status
    stage: Stage
    started_at: datetime
    deadline_at: datetime
    next_action_at: datetime | None
    alerted_at: datetime | None = None
    alerts_sent: int = 0
    acknowledged_by: str | None = None
    ended_at: datetime | None = None
    details: str | None = None
    location: Location | None = None
    alarm: Alarm | None = None  # why her contacts were alerted
    pin_tries: int = 0
    # A drill (/simulacro): the alarm she rehearses on this check-in, whether nobody but
    # she sees it, the contact rows that pressed "Recibido" and when (in the same order).
    # Sealed with her state.
    drill: Alarm | None = None
    drill_private: bool = False
    drill_acks: tuple[str, ...] = ()
    drill_acked_at: tuple[datetime, ...] = ()


@dataclass(frozen=True)
class Delivery:
    """What became of a message queued under an idempotency key: still to go (`pending`),
    accepted by Telegram at `sent_at`, or given up on (neither)."""

    pending: bool
    sent_at: datetime | None = None


@dataclass(frozen=True)
class OutboxItem:
    id: str
    recipient_id: str
    priority: int
    payload: dict[str, Any]
    attempts: int
    created_at: datetime


@dataclass(frozen=True)
class Network:
    """A peer network; `config` is its configuration as JSON, read by the core."""

    id: str
    name: str
    config: str
    created_at: datetime


@dataclass(frozen=True)
class Membership:
    id: str
    network_id: str
    member_id: str
    role: Role
    status: MembershipStatus
    trusted: bool
    joined_at: datetime


@dataclass(frozen=True)
class NetworkPass:
    id: str
    network_id: str
    kind: PassKind
    issuer_id: str | None
    candidate_id: str | None
    expires_at: datetime
    used_at: datetime | None


@dataclass(frozen=True)
class PeerWarning:
    """A warning as its network's members read it; `body` holds the sealed fields."""

    id: str
    network_id: str
    reporter_id: str | None
    status: WarningStatus
    body: dict[str, str]
    me_too: int
    flags: int
    created_at: datetime
    published_at: datetime | None
    expires_at: datetime


@dataclass(frozen=True)
class Shift:
    """Two to four workers close by for a shift; it ends at `ends_at` at the latest."""

    id: str
    created_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class ShiftPass:
    """A single-use way into a shift, for one person."""

    id: str
    shift_id: str
    expires_at: datetime


class CaseStatus(StrEnum):
    """Where a support case is: waiting in the queue, taken by a coordinator, or closed
    (deleted after its network's retention)."""

    OPEN = "open"
    TAKEN = "taken"
    CLOSED = "closed"


@dataclass(frozen=True)
class CaseMessage:
    """One message of a support case: from her ("member") or from support ("support")."""

    by: str
    text: str
    at: datetime


@dataclass(frozen=True)
class SupportCase:
    """A member's request for accompaniment (/apoyo) to her network's support coordinators;
    `coordinator_id`: who took it. Everything but the times and status is sealed."""

    id: str
    network_id: str
    member_id: str
    coordinator_id: str | None
    status: CaseStatus
    kind: str
    messages: tuple[CaseMessage, ...]
    created_at: datetime
    remind_at: datetime | None = None
    expires_at: datetime | None = None


@dataclass(frozen=True)
class RecordEntry:
    """An entry of her private record, as she wrote it: when it happened (`exact`: she gave
    the time, or it was now; else only the day, kept at noon in her zone; `approx`: "week"
    or "earlier" from the /warn form), where, what happened, who. Text only."""

    id: str
    written_at: datetime
    happened_at: datetime
    exact: bool = False
    where: str = ""
    what: str = ""
    who: str = ""
    approx: str = ""
