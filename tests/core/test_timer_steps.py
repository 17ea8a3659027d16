"""The timer as pure functions: plain values, no I/O, hundreds of cases a second."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.app import policy_from
from bot.config import Settings
from bot.core import timers
from bot.core.timers import Status, Step

T0 = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
POLICY = policy_from(Settings())


def started(minutes: int = 60) -> timers.CheckIn:
    return timers.start("c1", "m1", T0, timedelta(minutes=minutes), POLICY)


def test_reminder_comes_lead_before_or_half_way() -> None:
    assert timers.reminder_at(T0, T0 + timedelta(hours=1), POLICY) == T0 + timedelta(minutes=50)
    assert timers.reminder_at(T0, T0 + timedelta(minutes=10), POLICY) == T0 + timedelta(minutes=5)


def run(checkin: timers.CheckIn, until: datetime) -> list[Step]:
    """Take every due step, jumping from one next action to the next, until `until`."""
    steps = []
    while checkin.next_action_at is not None and checkin.next_action_at <= until:
        now = checkin.next_action_at
        step = timers.next_step(checkin, now, POLICY)
        assert step is not None
        steps.append(step)
        if step == Step.PURGE:
            break
        checkin = timers.advance(checkin, step, now, POLICY)
    return steps


def test_a_missed_checkin_goes_reminder_last_call_alert_repeats_expiry_purge() -> None:
    assert run(started(), T0 + timedelta(days=9)) == [
        Step.REMINDER,
        Step.LAST_CALL,
        Step.ALERT,
        Step.REPEAT,
        Step.REPEAT,
        Step.REPEAT,
        Step.EXPIRE_DETAILS,
        Step.PURGE,
    ]


def test_after_downtime_a_fresh_checkin_goes_straight_to_the_alert() -> None:
    late = T0 + timedelta(hours=3)
    assert timers.next_step(started(), late, POLICY) == Step.ALERT


def test_nothing_is_due_before_the_next_action() -> None:
    assert timers.next_step(started(), T0 + timedelta(minutes=49), POLICY) is None


def test_acknowledging_stops_the_repeats() -> None:
    alert_time = T0 + timedelta(minutes=65)
    alerted = timers.advance(started(), Step.ALERT, alert_time, POLICY)
    acked = timers.acknowledge(alerted, "contact-1", POLICY)
    assert acked.next_action_at == alert_time + POLICY.details_ttl_after_alert
    assert timers.next_step(acked, acked.next_action_at, POLICY) == Step.EXPIRE_DETAILS


def test_extend_counts_from_the_deadline_or_from_now_and_is_capped() -> None:
    checkin = started(30)
    assert timers.extend(checkin, timedelta(minutes=15), T0, POLICY).deadline_at == (
        T0 + timedelta(minutes=45)
    )
    late = T0 + timedelta(minutes=40)
    assert timers.extend(checkin, timedelta(minutes=15), late, POLICY).deadline_at == (
        late + timedelta(minutes=15)
    )
    capped = timers.extend(checkin, timedelta(hours=30), T0, POLICY)
    assert capped.deadline_at == T0 + timedelta(hours=24)


def test_extend_after_an_alert_makes_it_active_again() -> None:
    alerted = timers.advance(started(1), Step.ALERT, T0 + timedelta(minutes=7), POLICY)
    again = timers.extend(alerted, timedelta(hours=1), T0 + timedelta(minutes=8), POLICY)
    assert again.status == Status.ACTIVE and again.alerted_at is None
    assert again.next_action_at is not None and again.next_action_at > T0 + timedelta(minutes=8)


def test_safe_ends_it_and_drops_the_details() -> None:
    checkin = timers.start("c1", "m1", T0, timedelta(hours=1), POLICY, details="Hotel Prueba")
    safe = timers.mark_safe(checkin, T0, POLICY)
    assert safe.status == Status.SAFE and safe.details is None
    assert safe.next_action_at == T0 + POLICY.row_ttl


@settings(max_examples=300)
@given(
    minutes=st.integers(1, 24 * 60),
    grace=st.integers(0, 3600),
    lead=st.integers(0, 3600),
    repeats=st.integers(0, 5),
    gaps=st.lists(st.integers(1, 4 * 3600), min_size=1, max_size=25),
)
def test_an_active_checkin_never_passes_its_alert_time_without_an_alert(
    minutes: int, grace: int, lead: int, repeats: int, gaps: list[int]
) -> None:
    """However irregularly the scheduler wakes, the first step taken at or after
    deadline + grace is the alert, and next actions never move backwards."""
    policy = replace(
        POLICY,
        grace=timedelta(seconds=grace),
        reminder_lead=timedelta(seconds=lead),
        alert_repeats=repeats,
    )
    checkin = timers.start("c1", "m1", T0, timedelta(minutes=minutes), policy)
    alert_time = checkin.deadline_at + policy.grace
    now, previous_next = T0, checkin.next_action_at
    for gap in gaps:
        now += timedelta(seconds=gap)
        step = timers.next_step(checkin, now, policy)
        if step is None:
            continue
        if checkin.status == Status.ACTIVE and now >= alert_time:
            assert step == Step.ALERT
        if step == Step.PURGE:
            break
        checkin = timers.advance(checkin, step, now, policy)
        assert checkin.next_action_at is not None and previous_next is not None
        assert checkin.next_action_at >= previous_next
        previous_next = checkin.next_action_at
