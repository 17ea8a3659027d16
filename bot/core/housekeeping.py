"""The hourly sweep: expired warnings, used or expired network passes, candidates nobody
vouched for. Expired data is deleted, not flagged; reads skip it even before the sweep."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.core import networks, warnings
from bot.core.context import Core

log = logging.getLogger("companera.housekeeping")
EVERY = timedelta(hours=1)


async def sweep(core: Core) -> int:
    """Delete what has expired now; returns how many rows went."""
    now = core.clock.now()
    gone = await warnings.purge(core, now) + await networks.purge(core, now)
    if gone:
        log.info("housekeeping.swept", extra={"rows": gone})
    return gone


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
