"""What Telegram's answer to a request means for the outbox row behind it.

Pure functions of the exception python-telegram-bot raised (None: Telegram accepted it):
- 429: the chat (or everything) waits `retry_after`, and the row goes again.
- timeout, 5xx, no connection, anything unexpected: Telegram may be down; probe it.
- 403, a migrated group, or a 400 that says the chat is gone: never retried, she is
  unreachable.
- any other 400: our mistake; the row fails.

Deleting her message first (a reply that carried details) has answers of its own: gone or
already gone, kept (Telegram refuses), or a failure that the whole row answers for.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    RetryAfter,
    TelegramError,
)

# 400 descriptions that mean the chat is gone, not that we sent something wrong.
GONE = (
    "chat not found",
    "user not found",
    "peer_id_invalid",
    "user is deactivated",
    "bot was kicked",
    "not enough rights",
    "chat_write_forbidden",
    "have no rights",
)
# The 400 that says her message was deleted already (by her, or by an earlier attempt).
ALREADY_DELETED = "message to delete not found"


class Action(Enum):
    SENT = "sent"  # Telegram accepted it: mark the row sent
    WAIT = "wait"  # 429: hold the chat for `seconds`, then the row goes again
    PROBE = "probe"  # transient: stop sending and find out whether Telegram is there
    GONE = "gone"  # the chat is gone: never retried, the workers who count on her are told
    FAIL = "fail"  # Telegram refused what we sent: never retried, logged


@dataclass(frozen=True)
class Answer:
    action: Action
    code: int = 0  # the error code kept on the row
    seconds: float = 0.0  # for WAIT: how long Telegram asked us to wait


SENT = Answer(Action.SENT)


def classify(error: TelegramError | None) -> Answer:
    """What to do with a row after Telegram answered its request with `error`."""
    if error is None:
        return SENT
    if isinstance(error, RetryAfter):
        return Answer(Action.WAIT, 429, seconds(error.retry_after))
    if isinstance(error, ChatMigrated):
        return Answer(Action.GONE, 400)
    if isinstance(error, Forbidden):
        return Answer(Action.GONE, 403)
    if isinstance(error, BadRequest):  # before NetworkError, of which it is a subclass
        if any(reason in error.message.lower() for reason in GONE):
            return Answer(Action.GONE, 400)
        return Answer(Action.FAIL, 400)
    return Answer(Action.PROBE, 0)  # timeouts, 5xx, no connection


class Deletion(Enum):
    DONE = "done"  # her message is gone (now, or already): the reply says so
    KEPT = "kept"  # Telegram keeps it: the reply asks her to delete it herself
    FAILED = "failed"  # 429 or transient: the row is answered as a send would be


def classify_deletion(error: TelegramError | None) -> Deletion:
    """What became of her message after deleteMessage answered `error`."""
    if error is None:
        return Deletion.DONE
    if isinstance(error, BadRequest):
        if ALREADY_DELETED in error.message.lower():
            return Deletion.DONE
        return Deletion.KEPT
    if isinstance(error, Forbidden):
        return Deletion.KEPT
    return Deletion.FAILED


def seconds(value: object) -> float:
    """A time period from python-telegram-bot (an int or a timedelta), in seconds."""
    total = getattr(value, "total_seconds", None)
    return float(total()) if callable(total) else float(value)  # type: ignore[arg-type]
