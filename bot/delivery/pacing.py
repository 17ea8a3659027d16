"""Telegram's sending limits, kept on our side so that Telegram never has to tell us off.

About 30 messages a second in all, one a second in a private chat (short bursts allowed),
20 a minute in a group. We stay a little under each: a steady global pace, and a token
bucket per chat. A 429 holds the chat it came from for `retry_after`; 429s from several
chats at once mean the global limit, and hold everything.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from time import monotonic


@dataclass(frozen=True)
class Limits:
    global_rate: float = 28.5  # messages per second in all (Telegram: about 30)
    # Several replicas share one budget: lower, for the tolerance that lets a late replica
    # catch up (at most 28 in any second by construction) and for the jitter between
    # processes on the way to Telegram (31 were seen in a second at 27.5 on a busy machine).
    shared_rate: float = 26.5
    chat_rate: float = 0.9  # per private chat, after the burst (Telegram: 1)
    chat_burst: float = 3.0
    group_rate: float = 1 / 3.2  # per group (Telegram: 20 a minute)
    group_burst: float = 1.0
    global_429_window: float = 2.0  # 429s from two chats within this many seconds: global


GRANT_KEEPS = 0.05  # seconds a grant of the shared budget may wait to be used


class _Bucket:
    __slots__ = ("at", "burst", "rate", "tokens")

    def __init__(self, rate: float, burst: float, now: float) -> None:
        self.rate, self.burst, self.tokens, self.at = rate, burst, burst, now

    def refill(self, now: float) -> None:
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now

    def ready_at(self, now: float) -> float:
        self.refill(now)
        return now if self.tokens >= 1 else now + (1 - self.tokens) / self.rate


class Pacer:
    """When each chat, and the bot as a whole, may send next. Not thread-safe; one per sender.

    Alone, the pacer spaces messages at the global rate itself. With `shared`, several
    replicas keep the global rate together: the sender asks the budget in the database,
    the pacer hands out what it granted (`grant`) at once, and without a grant in hand
    nothing goes.

    Time comes from `clock` (monotonic seconds) so that tests can drive it."""

    def __init__(
        self,
        limits: Limits | None = None,
        clock: Callable[[], float] = monotonic,
        shared: bool = False,
    ):
        self.limits = limits or Limits()
        self._clock = clock
        self.shared = shared
        self._granted = 0  # messages the shared budget let us send, now
        self._granted_at = 0.0
        self._next_grant_at = 0.0  # when the budget said the next one would fit
        self._next_slot = 0.0
        self._held_until = 0.0
        self._chats: dict[int, _Bucket] = {}
        self._chat_held: dict[int, float] = {}
        self._recent_429: dict[int, float] = {}

    def now(self) -> float:
        return self._clock()

    def global_ready_at(self) -> float:
        """When the next message may go as far as the global pace and holds allow; infinity
        when shared and no slot is in hand."""
        if not self.shared:
            return max(self._next_slot, self._held_until)
        now = self._clock()
        if self._granted and now - self._granted_at > GRANT_KEEPS:
            self._granted = 0  # granted for then, not for now: it would crowd the others
        if self._granted:
            return max(self._granted_at, self._held_until)
        if now < self._next_grant_at:
            return max(self._next_grant_at, self._held_until)
        return math.inf  # time to ask the budget

    def grant(self, count: int, next_in: float) -> None:
        """What the shared budget granted: `count` messages now, the next in `next_in` s."""
        now = self._clock()
        self._granted, self._granted_at = count, now
        self._next_grant_at = now + next_in

    def chat_ready_at(self, chat_id: int, now: float) -> float:
        """When a message to this chat may go (`now` or later) as far as its own limit allows."""
        held = self._chat_held.get(chat_id, now)
        bucket = self._chats.get(chat_id)
        ready = bucket.ready_at(now) if bucket else now
        return max(ready, held)

    def take(self, chat_id: int) -> None:
        """Spend a global slot and a token of this chat: a message is going now."""
        now = self._clock()
        if self.shared:
            self._granted -= 1
        else:
            # A slot missed by a late wake-up may be used once, so that the rate sustained
            # is the rate asked for; never more than one second's worth plus one in a second.
            interval = 1.0 / self.limits.global_rate
            self._next_slot = max(now - interval, self._next_slot) + interval
        self._spend_chat_token(chat_id, now)

    def _spend_chat_token(self, chat_id: int, now: float) -> None:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            if chat_id < 0:
                bucket = _Bucket(self.limits.group_rate, self.limits.group_burst, now)
            else:
                bucket = _Bucket(self.limits.chat_rate, self.limits.chat_burst, now)
            self._chats[chat_id] = bucket
        bucket.refill(now)
        bucket.tokens -= 1
        if len(self._chats) > 50_000:
            self._forget_full_buckets(now)

    def too_many_requests(self, chat_id: int, retry_after: float) -> bool:
        """Telegram answered 429 for this chat; returns True when it looks global."""
        now = self._clock()
        self._chat_held[chat_id] = now + retry_after
        window = self.limits.global_429_window
        self._recent_429 = {c: t for c, t in self._recent_429.items() if now - t < window}
        self._recent_429[chat_id] = now
        if len(self._recent_429) > 1:
            self.hold_all(retry_after)
            return True
        return False

    def hold_all(self, seconds: float) -> None:
        self._held_until = max(self._held_until, self._clock() + seconds)

    def _forget_full_buckets(self, now: float) -> None:
        """A bucket that has refilled is the same as none: keep memory bounded."""
        for chat_id in [c for c, b in self._chats.items() if b.ready_at(now) == now]:
            if self._chats[chat_id].tokens >= self._chats[chat_id].burst:
                del self._chats[chat_id]
        self._chat_held = {c: t for c, t in self._chat_held.items() if t > now}
