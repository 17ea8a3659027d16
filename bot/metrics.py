"""Prometheus metrics of one process: counts and durations, never a person, a chat or a text.

Labels are fixed small sets (an outcome, a priority, a step); nothing that identifies a
member, a chat or a message is ever a label or a value."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

PRIORITIES = ("alert", "sos", "reminder", "reply", "broadcast")
_DELAYS = (0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600)


class Metrics:
    """A registry per process (and per test), with everything the bot counts."""

    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry()
        self.updates = Counter(
            "companera_updates",
            "Webhook updates by outcome: handled, duplicate (already handled), failed, forbidden",
            ["outcome"],
            registry=registry,
        )
        self.update_seconds = Histogram(
            "companera_update_seconds",
            "Time to handle a webhook update, from its arrival to the answer",
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=registry,
        )
        self.sent = Counter(
            "companera_messages_sent",
            "Messages Telegram accepted, by priority",
            ["priority"],
            registry=registry,
        )
        self.failed = Counter(
            "companera_messages_failed",
            "Messages given up: the person is gone, Telegram refused it, or too late",
            registry=registry,
        )
        self.alerts = Counter(
            "companera_alerts_sent",
            "Alerts to trusted contacts that Telegram accepted",
            registry=registry,
        )
        self.alert_delay = Histogram(
            "companera_alert_delay_seconds",
            "From the moment an alert was written (a deadline passed, an SOS) to Telegram's "
            "acceptance",
            buckets=_DELAYS,
            registry=registry,
        )
        self.scheduler_lag = Histogram(
            "companera_scheduler_lag_seconds",
            "From the moment a timer was due to the moment the scheduler acted on it",
            buckets=_DELAYS,
            registry=registry,
        )
        self.too_many_requests = Counter(
            "companera_telegram_429",
            "429 Too Many Requests answers from Telegram",
            registry=registry,
        )
        self.outbox_pending = Gauge(
            "companera_outbox_pending",
            "Messages waiting in the outbox, all replicas together (read at each scrape)",
            registry=registry,
        )

    def render(self) -> bytes:
        """The Prometheus text exposition format."""
        return generate_latest(self.registry)


def priority_name(priority: int) -> str:
    return PRIORITIES[priority] if 0 <= priority < len(PRIORITIES) else "other"
