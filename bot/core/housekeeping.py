"""The hourly sweep: expired warnings, used or expired network passes and invitations,
links to a contact she never confirmed, shifts whose 12 hours are over (all of them goes; the
scheduler ends them on time, this is a net),
entries of a private record past the period she chose,
closed support cases past their network's retention (and reminders of unanswered ones),
candidates nobody vouched for, webhook update ids older than a day, and members not seen
for long (told first, forgotten a week later). Expired data is deleted, not flagged; reads
skip it even before the sweep.

The other rows of the retention table have their own loops: check-in details and rows
are steps of the scheduler, outbox rows are purged by the sender. `companera purge` runs
all of them once."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.core import contacts, forget, networks, shifts, support, warnings
from bot.core.context import Core

log = logging.getLogger("companera.housekeeping")
EVERY = timedelta(hours=1)
HANDLED_UPDATES_TTL = timedelta(hours=24)  # Telegram gives up on an update after a day


async def sweep(core: Core) -> int:
    """Delete what has expired now; returns how many rows went."""
    now = core.clock.now()
    async with core.unit() as work:
        gone = await warnings.purge(work, now) + await networks.purge(work, now)
        gone += await work.invites.purge(now)
        gone += await contacts.expire_pending(work, now)
        gone += await shifts.end_expired(work, now)
        gone += await work.private_record.purge(now)  # entries past her period
        gone += await support.purge(work, now)
        await support.remind(work, now)
        gone += await work.updates.purge(now - HANDLED_UPDATES_TTL)
    told, forgotten = await forget.sweep_idle(core)
    if gone or told or forgotten:
        log.info("housekeeping.swept", extra={"rows": gone, "told": told, "forgotten": forgotten})
    return gone + forgotten


async def purge_everything(
    core: Core, outbox_sent_ttl: timedelta, outbox_failed_ttl: timedelta
) -> dict[str, int]:
    """Every row of the retention table, once, now: what `companera purge` runs. The loops
    do the same on their own schedules; running this besides them is harmless."""
    now = core.clock.now()
    policy = core.policy
    async with core.unit() as work:
        checkins = await work.checkins.purge(
            now - policy.details_ttl_after_alert, now - policy.row_ttl
        )
        outbox = await work.outbox.purge(now - outbox_sent_ttl, now - outbox_failed_ttl)
    swept = await sweep(core)
    return {"check-ins": checkins, "outbox": outbox, "swept": swept}


class Housekeeping:
    """One loop per process; the deletes are idempotent, so replicas may overlap."""

    def __init__(self, core: Core, every: timedelta = EVERY) -> None:
        self._core = core
        self._every = every

    async def run(self) -> None:
        core = self._core
        while not core.stopping.is_set():
            try:
                await sweep(core)
            except Exception:  # the loop must outlive a lost connection
                log.exception("housekeeping.error")
            await core.clock.sleep_until(core.clock.now() + self._every, core.stopping)
