"""The durable scheduler: sleeps until the earliest due check-in (or the end of a shift),
claims due rows, and writes what they need into the outbox in the same transaction."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.core import drills, shifts, timers
from bot.core.alerts import alert_contacts
from bot.core.context import Core, Work
from bot.core.notifications import CheckinLastCall, CheckinReminder
from bot.core.records import CheckIn
from bot.core.timers import Step

log = logging.getLogger("companera.scheduler")
BATCH = 200
RETRY_AFTER_ERROR = timedelta(seconds=5)
MAX_SLEEP = timedelta(seconds=30)
MIN_GAP = 0.05  # seconds between two passes, however often it is woken


async def fire_due(
    core: Core, now: datetime | None = None, on_lag: Callable[[float], None] | None = None
) -> int:
    """Take every step that is due at `now`; returns how many check-ins moved. `on_lag`
    hears, for each, how many seconds late it was taken."""
    moved = 0
    while True:
        when = now or core.clock.now()
        async with core.unit() as work:
            due = await work.checkins.claim_due(when, BATCH)
            for checkin in due:
                if on_lag is not None and checkin.next_action_at is not None:
                    on_lag(max(0.0, (when - checkin.next_action_at).total_seconds()))
                await _take_step(work, checkin, when)
        moved += len(due)
        if len(due) < BATCH:
            return moved


async def end_shifts(core: Core, now: datetime | None = None) -> int:
    """Shifts whose 12 hours are over end now, not at the next hourly sweep; returns how
    many."""
    when = now or core.clock.now()
    async with core.unit() as work:
        ends_at = await work.shifts.earliest_end()
        if ends_at is None or ends_at > when:
            return 0
        return await shifts.end_expired(work, when)


async def _take_step(work: Work, checkin: CheckIn, now: datetime) -> None:
    step = timers.next_step(checkin, now, work.policy)
    if step is None:
        return
    if step == Step.PURGE:
        await work.checkins.delete(checkin.id)
        return
    after = timers.advance(checkin, step, now, work.policy)
    await work.checkins.save(after)
    if step in (Step.EXPIRE_DETAILS, Step.DRILL_REPORT):
        await work.checkins.erase_details(checkin.id)
    if step == Step.DRILL_REPORT:
        await drills.report(work, checkin)
    elif step in (Step.REMINDER, Step.LAST_CALL):
        await _remind(work, after, step)
        if step == Step.LAST_CALL:  # her partners, close by, hear first
            await shifts.deadline_passed(work, after)
    elif step in (Step.ALERT, Step.REPEAT):
        await alert_contacts(work, after)
    log.info("checkin.step", extra={"step": str(step)})  # no id: a copy would name her


async def _remind(work: Work, checkin: CheckIn, step: Step) -> None:
    reminder = CheckinReminder if step == Step.REMINDER else CheckinLastCall
    alert_at = checkin.deadline_at + timers.grace(checkin, work.policy)
    await work.notify(reminder(checkin.member_id, checkin.id, checkin.deadline_at, alert_at))


class Scheduler:
    """One loop per process. Several processes on PostgreSQL never claim the same row: a
    row is locked (FOR UPDATE SKIP LOCKED) by the transaction that takes its step, and a
    replica that dies mid-step loses its connection, so PostgreSQL rolls the step back and
    frees the row for the others at once.

    It sleeps until the earliest due row, or until woken by a new or moved timer (of this
    process, or of another replica through the database), and at most `MAX_SLEEP`: a
    heartbeat for /healthz, and a net under a lost wake-up."""

    def __init__(self, core: Core, on_lag: Callable[[float], None] | None = None) -> None:
        self._core = core
        self._on_lag = on_lag
        # Monotonic seconds of the last pass; counted from creation, so that /healthz does
        # not call a loop dead while its first pass is still running.
        self.alive_at = time.monotonic()

    async def run(self) -> None:
        core = self._core
        last_pass = -MIN_GAP
        while not core.stopping.is_set():
            # Woken by every new timer, it looks at most once per MIN_GAP: a hundred
            # check-ins a second are twenty passes, not a hundred; a step due meanwhile
            # waits MIN_GAP at most.
            gap = last_pass + MIN_GAP - time.monotonic()
            if gap > 0:
                await asyncio.sleep(gap)
            last_pass = time.monotonic()
            try:
                await fire_due(core, on_lag=self._on_lag)
                await end_shifts(core)
                # Cleared after our own commits and before reading the earliest deadline: a
                # timer changed after this read sets the event again and wakes us at once.
                core.timers_changed.clear()
                if core.stopping.is_set():  # a stop that came while we fired was just cleared
                    break
                async with core.work() as work:
                    earliest = await work.checkins.earliest_action()
                    shift_end = await work.shifts.earliest_end()
                if shift_end is not None:
                    earliest = shift_end if earliest is None else min(earliest, shift_end)
            except Exception:  # the loop must outlive a bad row or a lost connection
                log.exception("scheduler.error")
                earliest = core.clock.now() + RETRY_AFTER_ERROR
            self.alive_at = time.monotonic()
            latest = core.clock.now() + MAX_SLEEP
            wake_at = latest if earliest is None else min(earliest, latest)
            await core.clock.sleep_until(wake_at, core.timers_changed)
