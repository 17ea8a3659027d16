"""Shift partners: each partner told who joined, who left, and that the shift ended."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from bot.core.notifications.base import NOT_STORED, Notification, Priority
from bot.core.records import PartnerNote


@dataclass(frozen=True)
class ShiftNotice(Notification):
    """Told to a partner about another (`alias`: hers; `address`: her form of address)."""

    priority = Priority.INTERACTIVE
    alias: str
    address: str
    shift_id: str = field(metadata=NOT_STORED)
    about_id: str = field(metadata=NOT_STORED)


@dataclass(frozen=True)
class ShiftJoined(ShiftNotice):
    kind = "shifts.joined"

    @property
    def idempotency_key(self) -> str:
        return f"sh:{self.shift_id}:{self.about_id}:joined:{self.recipient_id}"


@dataclass(frozen=True)
class ShiftLeft(ShiftNotice):
    kind = "shifts.left"

    @property
    def idempotency_key(self) -> str:
        return f"sh:{self.shift_id}:{self.about_id}:left:{self.recipient_id}"


@dataclass(frozen=True)
class ShiftEnded(Notification):
    """The shift is over (its time ran out): nothing of it is kept."""

    kind = "shifts.ended"
    priority = Priority.INTERACTIVE
    shift_id: str = field(metadata=NOT_STORED)

    @property
    def idempotency_key(self) -> str:
        return f"sh:{self.shift_id}:ended:{self.recipient_id}"


@dataclass(frozen=True)
class ShiftStatus(Notification):
    """Her status message of the shift: one line per member (newline-separated) of `alias`,
    `address`, `state` (free, busy, overdue) and `until` (ISO time or empty), tab-separated.
    Sent once, then rewritten (`edit`: its message id in her chat) at each change. An edit
    is the least urgent of all messages: at many deadlines at once, an alert, her last call
    or a reply never waits behind one (the first message goes as a reminder does, so that
    there is one to edit soon)."""

    kind = "shifts.status"
    lines: str
    edit: int | None = None
    shift_id: str = field(default="", metadata=NOT_STORED)
    version: int = field(default=0, metadata=NOT_STORED)

    @property
    def priority(self) -> Priority:
        return Priority.REMINDER if self.edit is None else Priority.BROADCAST

    @property
    def idempotency_key(self) -> str:
        return status_key(self.shift_id, self.recipient_id, self.version)


def status_key(shift_id: str, member_id: str, version: int) -> str:
    return f"sh:{shift_id}:{member_id}:status:{version}"


@dataclass(frozen=True)
class PartnerOverdue(Notification):
    """A partner did not say she is safe by her deadline: the ones close by hear it first,
    her trusted contacts at the deadline and the grace, as always."""

    kind = "shifts.overdue"
    priority = Priority.ALERT
    alias: str
    address: str
    deadline: datetime
    checkin_id: str = ""  # for her partners' "Voy" button
    notes: list[str] = field(default_factory=list)  # her partners' (bot.core.notes)
    details: str = ""  # only if she chose to share them with partners

    @property
    def idempotency_key(self) -> str:
        return f"sh:{self.checkin_id}:overdue:{self.recipient_id}"


@dataclass(frozen=True)
class PartnerGoing(Notification):
    """A partner tapped "Voy": the other partners and her contacts are told who goes."""

    kind = "shifts.going"
    priority = Priority.ALERT
    partner: str  # the alias of the partner who goes
    alias: str  # hers
    address: str  # hers
    checkin_id: str = field(default="", metadata=NOT_STORED)
    partner_id: str = field(default="", metadata=NOT_STORED)

    @property
    def idempotency_key(self) -> str:
        return f"sh:{self.checkin_id}:going:{self.partner_id}:{self.recipient_id}"


@dataclass(frozen=True)
class PartnerBusy(Notification):
    """A partner started a check-in: the others are told at once, her time only; her
    details too if she chose to share them with partners."""

    kind = "shifts.busy"
    priority = Priority.REMINDER
    alias: str
    address: str
    deadline: datetime
    checkin_id: str = ""  # for "📝 Anotar para ..."
    details: str = ""

    @property
    def idempotency_key(self) -> str:
        return f"sh:{self.checkin_id}:busy:{self.recipient_id}"


@dataclass(frozen=True)
class PartnerNoteLate(Notification):
    """A partner's note added after her contacts were alerted: they (and her other
    partners) get it at once, rather than at the next round."""

    kind = "shifts.note_late"
    priority = Priority.ALERT
    alias: str  # hers
    address: str  # hers
    note: str  # bot.core.notes.note_line
    checkin_id: str = field(default="", metadata=NOT_STORED)
    number: int = field(default=0, metadata=NOT_STORED)  # the note's place on her check-in

    @property
    def idempotency_key(self) -> str:
        return f"sh:{self.checkin_id}:note:{self.number}:{self.recipient_id}"


def note_line(note: PartnerNote) -> str:
    """A note as a notification carries it: the partner's alias, the text, whether a pin
    follows."""
    return json.dumps([note.alias, note.text, note.location is not None], ensure_ascii=False)


def read_note_line(line: str) -> tuple[str, str, bool] | None:
    """What `note_line` wrote; None for anything else."""
    try:
        alias, text, pin = json.loads(line)
    except (ValueError, TypeError):
        return None
    return str(alias), str(text), bool(pin)
