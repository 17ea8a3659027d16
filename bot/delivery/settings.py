"""How the outbox sender behaves: its pace, its batches, its patience and its leases."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from bot.config import Settings
from bot.delivery.pacing import Limits


def _default_of(setting: str) -> timedelta:
    """The default of a timing that is a setting: bot/config.py keeps it, in seconds."""
    return timedelta(seconds=Settings.model_fields[setting].default)


_GIVE_UP_AFTER = _default_of("delivery_give_up_seconds")
_SENT_TTL = _default_of("outbox_sent_ttl_seconds")
_FAILED_TTL = _default_of("outbox_failed_ttl_seconds")
_LEASE = _default_of("outbox_lease_seconds")


@dataclass(frozen=True)
class SenderSettings:
    """How the sender behaves; the defaults are Telegram's documented limits, and for the
    timings that are settings, bot/config.py's (bot/app.py sets the configured values)."""

    limits: Limits = field(default_factory=Limits)
    in_flight: int = 8  # requests at once, so that a slow network still allows 28 msg/s
    claim: int = 50  # rows taken from the database at a time
    keep: int = 200  # rows held in memory at most
    poll_seconds: float = 5.0  # look at the database even when nobody woke us
    backoff_first: float = 0.5
    backoff_max: float = 10.0
    give_up_after: timedelta = _GIVE_UP_AFTER
    sent_ttl: timedelta = _SENT_TTL
    failed_ttl: timedelta = _FAILED_TTL
    purge_every: float = 3600.0
    replica: str = "local"  # who holds the rows this sender claims
    lease: timedelta = _LEASE  # a dead replica's rows are free after this
    shared_pace: bool = False  # several replicas: the global pace is kept in the database
    ask_at_most: int = 5  # messages asked of the shared budget at a time
    # Replies between alerts: during a flood of more urgent rows, a claim also takes the
    # oldest `replies_claim` replies, and one reply goes after every `reply_after` more
    # urgent messages (at most a tenth of the pace: a member who writes is answered within
    # about 10 sends, a third of a second, and alerts keep nine in ten).
    replies_claim: int = 5
    reply_after: int = 9
