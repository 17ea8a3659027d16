"""A drill's report waits for its alert's delivery: an ended drill keeps its marker, and
with it a report step, until the report went; then it is an ended check-in like any other."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.app import policy_from
from bot.config import Settings
from bot.core import timers
from bot.core.records import Alarm
from bot.core.timers import Status, Step

T0 = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
POLICY = policy_from(Settings())


def alerted_drill() -> timers.CheckIn:
    drill = timers.start("c1", "m1", T0, timers.DRILL_DURATION, POLICY)
    drill = replace(drill, drill=Alarm.SOS)
    return timers.raise_alarm(drill, Alarm.SOS, T0, POLICY)


def test_an_ended_drill_waits_for_its_report_then_is_purged_as_any_other() -> None:
    ended = timers.mark_safe(alerted_drill(), T0 + timedelta(seconds=20), POLICY)
    waiting = timers.drill_report_later(ended, T0 + timedelta(seconds=20))
    assert waiting.next_action_at == T0 + timedelta(seconds=20) + timers.DRILL_REPORT_RETRY
    due = waiting.next_action_at
    assert due is not None and timers.next_step(waiting, due, POLICY) == Step.DRILL_REPORT
    assert timers.advance(waiting, Step.DRILL_REPORT, due, POLICY) == waiting  # still ended
    reported = timers.drill_reported(waiting, POLICY)
    assert reported.drill is None and reported.status == Status.SAFE
    assert reported.next_action_at == T0 + timedelta(seconds=20) + POLICY.row_ttl
    assert timers.next_step(reported, reported.next_action_at, POLICY) == Step.PURGE


def test_the_report_step_of_an_alerted_drill_ends_it_once() -> None:
    drill = alerted_drill()
    due = T0 + timers.DRILL_REPORT_AFTER
    assert timers.next_step(drill, due, POLICY) == Step.DRILL_REPORT
    ended = timers.advance(drill, Step.DRILL_REPORT, due, POLICY)
    assert ended.status == Status.SAFE and ended.ended_at == due


def test_an_ended_drill_that_never_went_off_is_purged() -> None:
    drill = replace(timers.start("c1", "m1", T0, timers.DRILL_DURATION, POLICY), drill=Alarm.SOS)
    ended = timers.mark_safe(drill, T0, POLICY)
    assert ended.next_action_at is not None
    assert timers.next_step(ended, ended.next_action_at, POLICY) == Step.PURGE
