"""What each of Telegram's answers means for an outbox row, and for her message that a reply
deletes first: one case per branch, over the exceptions python-telegram-bot raises."""

from __future__ import annotations

from datetime import timedelta

import pytest
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.delivery.answers import (
    GONE,
    Action,
    Answer,
    Deletion,
    classify,
    classify_deletion,
    seconds,
)


def test_no_error_is_sent() -> None:
    assert classify(None) == Answer(Action.SENT)


@pytest.mark.parametrize("retry_after", [7, timedelta(seconds=7)])
def test_429_waits_as_long_as_telegram_asks(retry_after: int | timedelta) -> None:
    assert classify(RetryAfter(retry_after)) == Answer(Action.WAIT, 429, 7.0)


@pytest.mark.parametrize(
    "error",
    [
        TimedOut(),
        NetworkError("httpx.ConnectError: All connection attempts failed"),
        NetworkError("Bad Gateway"),  # what a 502 becomes
        NetworkError("Internal Server Error (500)"),
        NetworkError("Service Unavailable (503)"),
        InvalidToken("Not Found"),  # neither our mistake nor hers: look whether Telegram is there
        Conflict("terminated by other getUpdates request"),
        TelegramError("Invalid server response"),
    ],
    ids=repr,
)
def test_a_failure_that_may_pass_probes_telegram(error: TelegramError) -> None:
    assert classify(error) == Answer(Action.PROBE, 0)


def test_a_blocked_bot_means_she_is_gone() -> None:
    assert classify(Forbidden("Forbidden: bot was blocked by the user")) == Answer(
        Action.GONE, 403
    )


def test_a_migrated_group_is_gone() -> None:
    assert classify(ChatMigrated(-1001234)) == Answer(Action.GONE, 400)


@pytest.mark.parametrize("reason", GONE)
def test_each_400_that_says_the_chat_is_gone(reason: str) -> None:
    # python-telegram-bot strips "Bad Request: " and capitalizes what is left.
    assert classify(BadRequest(f"Bad Request: {reason}")) == Answer(Action.GONE, 400)
    assert classify(BadRequest(reason.upper())) == Answer(Action.GONE, 400)


@pytest.mark.parametrize(
    "description",
    ["Bad Request: message text is empty", "Bad Request: can't parse entities", "Whatever"],
)
def test_any_other_400_is_our_mistake(description: str) -> None:
    assert classify(BadRequest(description)) == Answer(Action.FAIL, 400)


# -- deleting her message first ----------------------------------------------------------


def test_a_deletion_without_error_is_done() -> None:
    assert classify_deletion(None) is Deletion.DONE


def test_a_message_already_deleted_counts_as_deleted() -> None:
    error = BadRequest("Bad Request: message to delete not found")
    assert classify_deletion(error) is Deletion.DONE


@pytest.mark.parametrize(
    "error",
    [
        BadRequest("Bad Request: message can't be deleted"),
        BadRequest("Bad Request: message can't be deleted for everyone"),
        BadRequest("Bad Request: chat not found"),  # the reply that follows finds out
        Forbidden("Forbidden: bot was blocked by the user"),
    ],
    ids=repr,
)
def test_a_refused_deletion_keeps_her_message(error: TelegramError) -> None:
    assert classify_deletion(error) is Deletion.KEPT


@pytest.mark.parametrize(
    "error",
    [
        RetryAfter(3),
        TimedOut(),
        NetworkError("Bad Gateway"),
        NetworkError("httpx.ReadError"),
        ChatMigrated(-1001234),
        TelegramError("Invalid server response"),
    ],
    ids=repr,
)
def test_any_other_deletion_failure_is_the_rows(error: TelegramError) -> None:
    assert classify_deletion(error) is Deletion.FAILED


def test_seconds_of_an_int_or_a_timedelta() -> None:
    assert seconds(3) == 3.0
    assert seconds(timedelta(milliseconds=1500)) == 1.5
