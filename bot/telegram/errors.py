"""The last net: log an event name only, and answer the member kindly in her language."""

from __future__ import annotations

import contextlib
import logging
import traceback
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path

from telegram import Update

from bot.core import members
from bot.telegram.common import Context, core_of, say

log = logging.getLogger("companera.telegram")
_FAILURES: ContextVar[list[BaseException] | None] = ContextVar("failures", default=None)


def where(error: BaseException | None) -> str:
    """The innermost file and line of an exception: enough to debug, nothing she typed."""
    frames = traceback.extract_tb(error.__traceback__) if error else []
    return f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"


@contextlib.contextmanager
def collect_failures() -> Iterator[list[BaseException]]:
    """The errors raised by handlers while this block runs (for the webhook's answer)."""
    failures: list[BaseException] = []
    token = _FAILURES.set(failures)
    try:
        yield failures
    finally:
        _FAILURES.reset(token)


async def on_error(update: object, context: Context) -> None:
    """Never log the update (it holds what she typed); say something kind instead."""
    error = context.error
    failures = _FAILURES.get()
    if failures is not None and error is not None:
        failures.append(error)
    log.error("update.failed %s at %s", type(error).__name__, where(error))
    if not isinstance(update, Update) or update.effective_user is None:
        return
    try:
        user = update.effective_user
        member = await members.identify(core_of(context), user.id, user.language_code)
        await say(context, member, "error.generic")
    except Exception:  # the database itself may be what failed
        log.error("update.failed.reply", extra={"error": "unavailable"})
