"""The last net: log an event name only; the application rolls the update back and answers
her kindly in her language (bot/telegram/application.py)."""

from __future__ import annotations

import logging
import traceback
from pathlib import Path

from bot.telegram.context import UpdateContext

log = logging.getLogger("companera.telegram")


def where(error: BaseException | None) -> str:
    """The innermost file and line of an exception: enough to debug, nothing she typed."""
    frames = traceback.extract_tb(error.__traceback__) if error else []
    return f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"


async def on_error(update: object, context: UpdateContext) -> None:
    """Never log the update (it holds what she typed); mark its turn as failed."""
    error = context.error
    log.error("update.failed %s at %s", type(error).__name__, where(error))
    try:
        turn = context.turn
    except (KeyError, AttributeError):  # not an update of ours
        return
    if turn.error is None:
        turn.error = error
