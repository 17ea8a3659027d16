"""Telegram's refusals, real and injected: rate limits, faults, blocked chats, outages."""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Literal, get_args

from bot.emulator.protocol import ApiError, bad_request

FaultKind = Literal[
    "server_error", "timeout", "blocked", "chat_not_found", "accepted_no_answer", "cant_delete"
]
BLOCKED = "Forbidden: bot was blocked by the user"


def _same_method(a: str, b: str) -> bool:
    """Whether two spellings ("sendMessage", "send_message") name the same method."""
    return a.replace("_", "").lower() == b.replace("_", "").lower()


def is_send(method: str) -> bool:
    """Whether a method sends a message (and so counts against the rate limits)."""
    name = method.lower()
    return name.startswith("send") and name != "sendchataction"


def is_edit(method: str) -> bool:
    """Whether a method rewrites a message already sent (editMessageText and the like)."""
    return method.lower().startswith("editmessage")


@dataclass
class Fault:
    """A failure to inject into the next `times` matching requests (None: forever)."""

    kind: FaultKind
    method: str | None = None
    chat_id: int | None = None
    times: int | None = 1

    def __post_init__(self) -> None:
        if self.kind not in get_args(FaultKind):
            raise ValueError(f"unknown fault {self.kind!r}; one of {get_args(FaultKind)}")

    def matches(self, method: str, chat_id: int | None) -> bool:
        """Whether this fault applies to a request."""
        if self.method is not None and not _same_method(self.method, method):
            return False
        return self.chat_id is None or self.chat_id == chat_id


class TokenBucket:
    """`rate` tokens a second, at most `capacity` saved up."""

    def __init__(self, rate: float, capacity: float) -> None:
        self.rate, self.capacity = rate, capacity
        self.tokens, self._at = capacity, time.monotonic()

    def take(self) -> float:
        """Take a token: 0 when granted, else the seconds until one is available."""
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self._at) * self.rate)
        self._at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate

    def give_back(self) -> None:
        """Return a token taken for something that did not happen."""
        self.tokens = min(self.capacity, self.tokens + 1)


class Gate:
    """Decides, before a method runs, whether Telegram refuses the request."""

    def __init__(
        self,
        rate_limits: bool,
        global_rate: float,
        chat_rate: float,
        chat_burst: float,
        group_per_minute: int = 20,
        limit_edits: bool = False,
    ) -> None:
        self.rate_limits = rate_limits
        self.limit_edits = limit_edits  # edits count against the limits, as sends do
        self.too_many_requests = 0
        self.timeout_seconds = 30.0
        self.faults: list[Fault] = []
        self.blocked: set[int] = set()
        self.outage_until = 0.0
        self._global = TokenBucket(global_rate, global_rate)
        self._chats: defaultdict[int, TokenBucket] = defaultdict(
            lambda: TokenBucket(chat_rate, chat_burst)
        )
        self._closing = asyncio.Event()
        self.group_per_minute = group_per_minute
        self._groups: defaultdict[int, deque[float]] = defaultdict(deque)

    def check_outage(self) -> None:
        """During an outage every request answers 502."""
        if time.monotonic() < self.outage_until:
            raise ApiError(502, "Bad Gateway")

    async def check(self, method: str, chat_id: int | None) -> Fault | None:
        """Raise the error Telegram would answer, if any: faults, a block, rate limits.
        Returns an "accepted_no_answer" fault, which applies after the method ran."""
        fault = self._take_fault(method, chat_id)
        if fault is not None and fault.kind == "accepted_no_answer":
            self._check_limits(method, chat_id)
            return fault
        if fault is not None:
            await self._fail(fault.kind)
        self._check_limits(method, chat_id)
        return None

    async def withhold_answer(self) -> None:
        """Telegram did it, but the answer never arrives: hang, then 502."""
        await self._fail("timeout")

    def _check_limits(self, method: str, chat_id: int | None) -> None:
        if is_send(method) and chat_id in self.blocked:
            raise ApiError(403, BLOCKED)
        limited = is_send(method) or (self.limit_edits and is_edit(method))
        if limited and self.rate_limits and chat_id is not None:
            if chat_id < 0:
                self._take_group_slot(chat_id)
            else:
                self._take_tokens(chat_id)

    def clear(self) -> None:
        """Forget injected faults, blocks and any outage."""
        self.faults.clear()
        self.blocked.clear()
        self.outage_until = 0.0

    def close(self) -> None:
        """End the waits of "timeout" faults, so that the server can stop."""
        self._closing.set()

    def open(self) -> None:
        """Let "timeout" faults hang again (after a restart)."""
        self._closing = asyncio.Event()

    def _take_fault(self, method: str, chat_id: int | None) -> Fault | None:
        for fault in self.faults:
            if fault.matches(method, chat_id):
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                return fault
        return None

    async def _fail(self, kind: FaultKind) -> None:
        if kind == "timeout":
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), self.timeout_seconds)
        if kind == "blocked":
            raise ApiError(403, BLOCKED)
        if kind == "chat_not_found":
            raise bad_request("chat not found")
        if kind == "cant_delete":  # for deleteMessage: too old, or not ours to delete
            raise bad_request("message can't be deleted")
        raise ApiError(502, "Bad Gateway")

    def _take_tokens(self, chat_id: int) -> None:
        chat = self._chats[chat_id]
        wait = chat.take()
        if wait == 0:
            wait = self._global.take()
            if wait:  # this send does not happen: the chat keeps its token
                chat.give_back()
        if wait:
            self.too_many_requests += 1
            retry = max(1, math.ceil(wait))
            raise ApiError(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})

    def _take_group_slot(self, chat_id: int) -> None:
        """A group takes at most `group_per_minute` messages in any sliding minute."""
        now = time.monotonic()
        window = self._groups[chat_id]
        while window and now - window[0] >= 60.0:
            window.popleft()
        wait = 60.0 - (now - window[0]) if len(window) >= self.group_per_minute else 0.0
        if wait == 0:
            wait = self._global.take()
        if wait:
            self.too_many_requests += 1
            retry = max(1, math.ceil(wait))
            raise ApiError(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})
        window.append(now)
