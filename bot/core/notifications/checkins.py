"""Check-ins and alerts: reminders for her, alerts and what follows them for her contacts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

from bot.core.notifications.base import NOT_STORED, Notification, Priority, new_nonce
from bot.core.records import Alarm


@dataclass(frozen=True)
class Alert(Notification):
    """One round of a check-in's alert, for one of her contacts (`link_id`)."""

    kind = "alert"
    read_also = ("alert.missed",)  # queued before alarms had kinds
    checkin_id: str
    alias: str
    started_at: datetime
    deadline: datetime
    link_id: str = field(metadata=NOT_STORED)
    alarm: Alarm = Alarm.MISSED
    raised_at: datetime | None = None
    had_checkin: bool = False  # an alarm during a check-in, not an SOS on its own
    details: str = ""
    repeat: int = 0  # how many times this round was repeated before
    has_location: bool = False
    location_at: datetime | None = None
    address: str = ""  # her form of address (she, he, neutral); empty: neutral
    # What to do, in the words of her organisation or deployment (AlertAdvice.advice: per
    # language, "*" for all); empty: the catalog's. A number only where they gave one.
    advice: dict[str, str] = field(default_factory=dict)
    emergency_number: str = ""
    # A detention (`/detenida`): who to call, when, and the rights text, from her network's
    # `legal:` section; empty: the catalog's words (her organisation or a lawyer, no police).
    legal_contact: str = ""
    legal_hours: str = ""
    legal_rights: dict[str, str] = field(default_factory=dict)
    # A drill (/simulacro): marked "SIMULACRO" on its first line, "Recibido" for its button;
    # `preview`: shown to her alone, in her report, as her contacts would have read it.
    drill: bool = False
    preview: bool = False
    # Her shift partners' notes ("Nota de Eva: ..."), each `bot.core.notes.note_line`.
    notes: list[str] = field(default_factory=list)
    # For one of her shift partners (close by): "🏃 Voy" instead of "Me encargo"; her details
    # and location only if she chose to share them with partners.
    partner: bool = False

    @property
    def priority(self) -> Priority:
        """A missed check-in first; an alarm she raised herself right after; a drill after
        every real alert and reminder, so that it never delays one."""
        if self.drill:
            return Priority.INTERACTIVE
        return Priority.ALERT if self.alarm == Alarm.MISSED else Priority.SOS

    @property
    def idempotency_key(self) -> str:
        """Names the round (its time and number): writing a round twice queues nothing new,
        and a new round (an SOS after a missed check-in) always goes out. A drill's keys
        are of their own: a real alarm raised in the same second is never taken for it."""
        stamp = int((self.raised_at or self.started_at).timestamp())
        round_name = "alert" if self.alarm == Alarm.MISSED else str(self.alarm)
        drill = "drill:preview:" if self.preview else "drill:" if self.drill else ""
        return f"{drill}{self.checkin_id}:{stamp}:{round_name}:{self.repeat + 1}:{self.link_id}"

    def location(self, latitude: float, longitude: float) -> AlertLocation:
        """Her last point, sent right after this alert."""
        return AlertLocation(
            self.recipient_id, latitude, longitude, self.priority, self.idempotency_key
        )


@dataclass(frozen=True)
class DetentionNotice(Notification):
    """The police detain or hold a member of a network: for the network's coordinators who
    chose to be its legal support. Her alias only: no details, no location, no contacts."""

    kind = "alert.detention_notice"
    priority = Priority.SOS
    alias: str
    network: str
    raised_at: datetime
    checkin_id: str = field(metadata=NOT_STORED)
    address: str = ""  # her form of address (she, he, neutral); empty: neutral
    legal_contact: str = ""
    legal_hours: str = ""
    legal_rights: dict[str, str] = field(default_factory=dict)

    @property
    def idempotency_key(self) -> str:
        return f"{self.checkin_id}:{int(self.raised_at.timestamp())}:detention"


@dataclass(frozen=True)
class AlertLocation(Notification):
    """A location pin: after an alert (`follows` is its key), or asked for by a contact."""

    kind = "alert.location"
    latitude: float
    longitude: float
    priority: Priority = field(default=Priority.INTERACTIVE, metadata=NOT_STORED)
    follows: str = field(default="", metadata=NOT_STORED)
    nonce: str = field(default_factory=new_nonce, metadata=NOT_STORED)

    @property
    def idempotency_key(self) -> str:
        return f"{self.follows}:location" if self.follows else f"reply:{self.nonce}"


@dataclass(frozen=True)
class AlertResolved(Notification):
    """She answered after an alert: safe, or more time (`until`)."""

    kind = "alert.resolved"
    priority = Priority.ALERT
    alias: str
    checkin_id: str
    raised_at: datetime = field(metadata=NOT_STORED)
    link_id: str = field(metadata=NOT_STORED)
    until: datetime | None = None
    address: str = ""  # her form of address (she, he, neutral); empty: neutral

    @property
    def idempotency_key(self) -> str:
        return f"{self.checkin_id}:{int(self.raised_at.timestamp())}:resolved:{self.link_id}"


@dataclass(frozen=True)
class AlertAcknowledged(Notification):
    """Another contact (`label`) is on her alert."""

    kind = "alert.acknowledged"
    priority = Priority.ALERT
    alias: str
    label: str
    checkin_id: str = field(metadata=NOT_STORED)
    link_id: str = field(metadata=NOT_STORED)

    @property
    def idempotency_key(self) -> str:
        return f"{self.checkin_id}:ack:{self.link_id}"


@dataclass(frozen=True)
class CheckinReminder(Notification):
    """Her time is nearly up."""

    kind = "checkin.reminder"
    priority = Priority.REMINDER
    step: ClassVar[str] = "reminder"
    checkin_id: str
    deadline: datetime
    alert_at: datetime

    @property
    def idempotency_key(self) -> str:
        return f"{self.checkin_id}:{self.step}:{int(self.deadline.timestamp())}"


@dataclass(frozen=True)
class CheckinLastCall(CheckinReminder):
    """Her time is up; her contacts are alerted at `alert_at`."""

    kind = "checkin.last_call"
    step: ClassVar[str] = "last_call"


@dataclass(frozen=True)
class AlertSent(Notification):
    """Told to her: her contacts were alerted (how many)."""

    kind = "checkin.alert_sent"
    priority = Priority.REMINDER
    checkin_id: str
    contacts: int
    raised_at: datetime = field(metadata=NOT_STORED)

    @property
    def idempotency_key(self) -> str:
        return f"{self.checkin_id}:{int(self.raised_at.timestamp())}:alert:1:worker"


@dataclass(frozen=True)
class DrillReport(Notification):
    """After her drill (/simulacro): who it went to and when each one received it, who
    answered "Recibido" and when, who could not be reached (she should ask them to open the
    bot); `private`: nobody was sent anything, and the alert as they would have read it
    follows."""

    kind = "drill.report"
    priority = Priority.INTERACTIVE
    checkin_id: str
    alarm: Alarm
    raised_at: datetime
    private: bool = False
    reached: list[str] = field(default_factory=list)  # her names for them
    answered: list[str] = field(default_factory=list)
    unreachable: list[str] = field(default_factory=list)
    # When Telegram took the alert to each of `reached`, and when each of `answered` answered
    # (ISO times, in the same order); "" when it was not delivered, or is not known.
    received: list[str] = field(default_factory=list)
    answered_at: list[str] = field(default_factory=list)

    @property
    def idempotency_key(self) -> str:
        return f"{self.checkin_id}:{int(self.raised_at.timestamp())}:drill:report"
