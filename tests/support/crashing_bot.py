"""`companera run` that dies like a kill -9 (os._exit, no clean-up) in the middle of the
first update that starts a check-in: with COMPANERA_TEST_CRASH=before_commit, once its
effects are written but not committed; with after_commit, once they are committed but
before the update is acknowledged to Telegram. For tests/e2e/test_crash.py only.

    python -m tests.support.crashing_bot"""

from __future__ import annotations

import os
import sys

from bot import cli
from bot.core.context import Work

CRASH = os.environ.get("COMPANERA_TEST_CRASH", "")
KILLED = 9


def _starts_a_checkin(work: Work) -> bool:
    """A unit of work that wrote a timer and queued messages: in the test, the /checkin
    (no timer of the test falls due, so the scheduler writes none)."""
    return work.checkins.changed and work.outbox.changed


def install() -> None:
    commit = Work.commit

    async def crashing_commit(self: Work) -> None:
        crash = _starts_a_checkin(self)
        if crash and CRASH == "before_commit":
            os._exit(KILLED)
        await commit(self)
        if crash and CRASH == "after_commit":
            os._exit(KILLED)

    Work.commit = crashing_commit  # type: ignore[method-assign]


if __name__ == "__main__":
    install()
    sys.exit(cli.main(["run"]))
