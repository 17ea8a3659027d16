"""The check-in timer as pure functions of a check-in, the time and the policy."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from bot.core.records import Alarm, CheckIn, Stage, Status


class Step(StrEnum):
    REMINDER = "reminder"
    LAST_CALL = "last_call"
    ALERT = "alert"
    REPEAT = "repeat"
    RESCHEDULE = "reschedule"
    EXPIRE_DETAILS = "expire_details"
    DRILL_REPORT = "drill_report"
    PURGE = "purge"


DRILL_DURATION = timedelta(minutes=1)  # a drill's timer (/simulacro)
DRILL_GRACE = timedelta(seconds=10)  # its grace before the (drill) alert
DRILL_REPORT_AFTER = timedelta(minutes=2)  # after the drill's alert: her report, the end
# Her report waits until its alert was delivered to everyone (or could not be): looked at
# again every DRILL_REPORT_RETRY, it goes at the latest DRILL_REPORT_LATEST after the alert;
# one DRILL_REPORT_STALE late (the bot was down for long) is dropped.
DRILL_REPORT_RETRY = timedelta(seconds=5)
DRILL_REPORT_LATEST = timedelta(minutes=10)
DRILL_REPORT_STALE = timedelta(days=1)


@dataclass(frozen=True, kw_only=True)
class Policy:
    """The timer's timings. No defaults: they are settings (bot/config.py), and
    `policy_from` in bot/app.py builds this."""

    grace: timedelta
    reminder_lead: timedelta
    alert_repeat_every: timedelta
    alert_repeats: int
    details_ttl_after_alert: timedelta
    row_ttl: timedelta


def reminder_at(start: datetime, deadline: datetime, policy: Policy) -> datetime:
    """The reminder comes `reminder_lead` before the deadline, or half-way for short timers."""
    return deadline - min(policy.reminder_lead, (deadline - start) / 2)


def grace(checkin: CheckIn, policy: Policy) -> timedelta:
    """The time between her deadline and the alert: a drill's is short."""
    return DRILL_GRACE if checkin.drill is not None else policy.grace


def next_step(checkin: CheckIn, now: datetime, policy: Policy) -> Step | None:
    """What is due for this check-in at `now`; stale reminders are skipped after downtime."""
    if checkin.next_action_at is None or checkin.next_action_at > now:
        return None
    if checkin.status == Status.ACTIVE:
        if now >= checkin.deadline_at + grace(checkin, policy):
            return Step.ALERT
        if now >= checkin.deadline_at:
            return Step.LAST_CALL
        return Step.REMINDER
    if checkin.status == Status.ALERTED:
        assert checkin.alerted_at is not None
        if checkin.drill is not None:  # a drill's alert is not repeated: her report is due
            return Step.DRILL_REPORT
        if now >= checkin.alerted_at + policy.details_ttl_after_alert:
            return Step.EXPIRE_DETAILS
        if checkin.acknowledged_by is None and checkin.alerts_sent <= policy.alert_repeats:
            return Step.REPEAT
        return Step.RESCHEDULE
    if checkin.drill is not None and checkin.alerted_at is not None:
        return Step.DRILL_REPORT  # a drill that ended: its report waits for its alert
    return Step.PURGE


def advance(checkin: CheckIn, step: Step, now: datetime, policy: Policy) -> CheckIn:
    """The check-in after `step` was taken at `now`, with its next action scheduled."""
    if step == Step.REMINDER:
        return replace(checkin, stage=Stage.REMINDED, next_action_at=checkin.deadline_at)
    if step == Step.LAST_CALL:
        return replace(
            checkin,
            stage=Stage.LAST_CALL,
            next_action_at=checkin.deadline_at + grace(checkin, policy),
        )
    if step == Step.ALERT:
        return raise_alarm(checkin, Alarm.MISSED, now, policy)
    if step == Step.REPEAT:
        repeated = replace(checkin, alerts_sent=checkin.alerts_sent + 1)
        return replace(repeated, next_action_at=_after_alert(repeated, now, policy))
    if step == Step.RESCHEDULE:
        return replace(checkin, next_action_at=_after_alert(checkin, now, policy))
    if step == Step.EXPIRE_DETAILS:
        return _ended(checkin, Status.EXPIRED, now, policy)
    if step == Step.DRILL_REPORT:  # (ended already: her report is still to go)
        return _ended(checkin, Status.SAFE, now, policy) if checkin.ended_at is None else checkin
    raise ValueError(f"no advance for step {step}")


def drill_report_later(checkin: CheckIn, now: datetime) -> CheckIn:
    """A drill that ended, whose report waits for its alert's delivery: looked at again."""
    return replace(checkin, next_action_at=now + DRILL_REPORT_RETRY)


def drill_reported(checkin: CheckIn, policy: Policy) -> CheckIn:
    """A drill whose report went: an ended check-in like any other from now on (its marker
    gone), deleted `policy.row_ttl` after it ended."""
    if checkin.ended_at is None:
        return checkin
    return replace(
        checkin,
        drill=None,
        drill_private=False,
        drill_acks=(),
        drill_acked_at=(),
        next_action_at=checkin.ended_at + policy.row_ttl,
    )


def _after_alert(checkin: CheckIn, now: datetime, policy: Policy) -> datetime:
    """The next repeat while nobody answered and repeats remain, else the details' expiry;
    for a drill, its report."""
    assert checkin.alerted_at is not None
    if checkin.drill is not None:
        return checkin.alerted_at + DRILL_REPORT_AFTER
    expiry = checkin.alerted_at + policy.details_ttl_after_alert
    if checkin.acknowledged_by is None and checkin.alerts_sent <= policy.alert_repeats:
        return min(now + policy.alert_repeat_every, expiry)
    return expiry


def _ended(checkin: CheckIn, status: Status, now: datetime, policy: Policy) -> CheckIn:
    return replace(
        checkin,
        status=status,
        ended_at=now,
        next_action_at=now + policy.row_ttl,
        details=None,
        location=None,
    )


def start(
    checkin_id: str,
    member_id: str,
    now: datetime,
    duration: timedelta,
    policy: Policy,
    details: str | None = None,
    location: object = None,
) -> CheckIn:
    """A new running check-in."""
    deadline = now + duration
    return CheckIn(
        id=checkin_id,
        member_id=member_id,
        status=Status.ACTIVE,
        stage=Stage.NONE,
        started_at=now,
        deadline_at=deadline,
        next_action_at=reminder_at(now, deadline, policy),
        details=details,
        location=location,  # type: ignore[arg-type]
    )


def mark_safe(checkin: CheckIn, now: datetime, policy: Policy) -> CheckIn:
    """She checked in: the timer stops and the details go."""
    return _ended(checkin, Status.SAFE, now, policy)


def extend(checkin: CheckIn, by: timedelta, now: datetime, policy: Policy) -> CheckIn:
    """Move the deadline `by` later (from now, if it already passed), at most 24 h ahead."""
    deadline = min(max(checkin.deadline_at, now) + by, now + timedelta(hours=24))
    return replace(
        checkin,
        status=Status.ACTIVE,
        stage=Stage.NONE,
        deadline_at=deadline,
        next_action_at=reminder_at(now, deadline, policy),
        alerted_at=None,
        alerts_sent=0,
        acknowledged_by=None,
        alarm=None,
        pin_tries=0,
    )


def raise_alarm(checkin: CheckIn, alarm: Alarm, now: datetime, policy: Policy) -> CheckIn:
    """Alert her contacts now, for `alarm`: a new round that nobody has acknowledged yet,
    repeated while nobody does; the details stay until 24 h after it."""
    alerted = replace(
        checkin,
        status=Status.ALERTED,
        stage=Stage.ALERTED,
        alarm=alarm,
        alerted_at=now,
        alerts_sent=1,
        acknowledged_by=None,
        pin_tries=0,
    )
    return replace(alerted, next_action_at=_after_alert(alerted, now, policy))


def stand_down(checkin: CheckIn, now: datetime, policy: Policy) -> CheckIn:
    """She is OK after an SOS: a timer that was running goes on to its deadline (its
    reminder again if still ahead); with no deadline ahead, or after a drill, the check-in
    ends safe."""
    if checkin.deadline_at <= now or checkin.drill is not None:
        return mark_safe(checkin, now, policy)
    reminder = reminder_at(checkin.started_at, checkin.deadline_at, policy)
    return replace(
        checkin,
        status=Status.ACTIVE,
        stage=Stage.NONE if reminder > now else Stage.REMINDED,
        next_action_at=reminder if reminder > now else checkin.deadline_at,
        alarm=None,
        alerted_at=None,
        alerts_sent=0,
        acknowledged_by=None,
        pin_tries=0,
    )


def acknowledge(checkin: CheckIn, contact_row_id: str, policy: Policy) -> CheckIn:
    """A contact is on it: no more repeats; the details stay until they expire."""
    acked = replace(checkin, acknowledged_by=contact_row_id)
    assert checkin.alerted_at is not None
    return replace(acked, next_action_at=checkin.alerted_at + policy.details_ttl_after_alert)
