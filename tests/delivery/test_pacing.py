"""The pacer against Telegram's limits, in simulated time: whatever the order of attempts,
it never lets more go than Telegram allows."""

from __future__ import annotations

import math
from collections import defaultdict, deque

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.delivery.pacing import Limits, Pacer
from storage.pace import grant

GROUP = -1_001_000_000_001


class Time:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def run(pacer: Pacer, time: Time, wanted: list[int], until: float) -> list[tuple[float, int]]:
    """Send `wanted` chats' messages in turn as soon as the pacer allows; (time, chat) sent."""
    sent = []
    queue = deque(wanted)
    while queue and time.now < until:
        chat = queue[0]
        ready = max(pacer.global_ready_at(), pacer.chat_ready_at(chat, time.now))
        if ready > time.now:
            time.now = ready
            continue
        pacer.take(chat)
        sent.append((time.now, chat))
        queue.popleft()
    return sent


def most_within(times: list[float], window: float) -> int:
    best, start = 0, 0
    for end in range(len(times)):
        while times[end] - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([1, 2, 3, 4, GROUP, GROUP - 1]), min_size=1, max_size=300))
def test_never_over_telegram_limits(chats: list[int]) -> None:
    time = Time()
    pacer = Pacer(Limits(), clock=time)
    sent = run(pacer, time, chats, until=time.now + 3600)
    assert len(sent) == len(chats)  # everything goes, eventually
    assert most_within([t for t, _ in sent], 1.0) <= 30
    by_chat: defaultdict[int, list[float]] = defaultdict(list)
    for t, chat in sent:
        by_chat[chat].append(t)
    for chat, times in by_chat.items():
        if chat < 0:
            assert most_within(times, 60.0) <= 20  # a group: 20 a minute
        else:
            # a private chat: a burst of 3, then no faster than one a second
            assert most_within(times, 1.0) <= 3
            assert most_within(times, 10.0) <= 3 + 10


def test_sustains_28_a_second_to_many_chats() -> None:
    time = Time()
    pacer = Pacer(Limits(), clock=time)
    sent = run(pacer, time, list(range(1, 2801)), until=time.now + 3600)
    duration = sent[-1][0] - sent[0][0]
    assert 28.0 <= len(sent) / duration <= 29.0


def test_a_429_holds_that_chat_only() -> None:
    time = Time()
    pacer = Pacer(Limits(), clock=time)
    pacer.take(1)
    assert pacer.too_many_requests(1, 5.0) is False
    assert pacer.chat_ready_at(1, time.now) == time.now + 5.0
    assert pacer.chat_ready_at(2, time.now) == time.now
    assert pacer.global_ready_at() < time.now + 1


def test_429s_from_two_chats_at_once_hold_everything() -> None:
    time = Time()
    pacer = Pacer(Limits(), clock=time)
    pacer.too_many_requests(1, 3.0)
    time.now += 0.5
    assert pacer.too_many_requests(2, 3.0) is True
    assert pacer.global_ready_at() >= time.now + 3.0


def test_429s_far_apart_are_not_global() -> None:
    time = Time()
    pacer = Pacer(Limits(), clock=time)
    pacer.too_many_requests(1, 1.0)
    time.now += 30
    assert pacer.too_many_requests(2, 1.0) is False


def test_a_group_gets_at_most_20_a_minute() -> None:
    time = Time()
    pacer = Pacer(Limits(), clock=time)
    sent = run(pacer, time, [GROUP] * 45, until=time.now + 3600)
    times = [t for t, _ in sent]
    assert len(sent) == 45
    assert most_within(times, 60.0) <= 20
    assert most_within(times, 60.0) >= 18  # and not much slower than allowed


def test_a_private_chat_gets_a_burst_then_about_one_a_second() -> None:
    time = Time()
    pacer = Pacer(Limits(), clock=time)
    times = [t for t, _ in run(pacer, time, [7] * 23, until=time.now + 3600)]
    assert times[2] - times[0] < 0.1  # the burst, at the global pace
    assert most_within(times, 1.0) <= 3
    assert 20 <= times[-1] - times[0] <= 25  # then under one a second


def test_shared_pace_sends_only_what_the_budget_granted() -> None:
    clock = Time()
    pacer = Pacer(Limits(), clock=clock, shared=True)
    assert pacer.global_ready_at() == math.inf  # nothing granted: ask the budget
    pacer.grant(2, next_in=0.5)
    clock.now = 1000.01  # (the sender reads the clock before asking when it may send)
    assert pacer.global_ready_at() <= clock.now
    pacer.take(1)
    pacer.take(2)
    assert pacer.global_ready_at() == 1000.5  # the budget said when the next would fit
    clock.now = 1000.5
    assert pacer.global_ready_at() == math.inf
    pacer.grant(1, next_in=0.0)
    clock.now = 1000.6  # a grant not used at once is for then, not for now
    assert pacer.global_ready_at() == math.inf


@given(
    st.lists(st.tuples(st.floats(0, 0.2), st.integers(1, 5)), min_size=1, max_size=400),
    st.sampled_from([0.0, 1 / Limits().shared_rate]),
)
def test_the_shared_budget_never_lets_more_than_30_into_a_second(
    asks: list[tuple[float, int]], tolerance: float
) -> None:
    """Replicas asking at any moments for any numbers: in every one-second window the
    messages granted are at most the shared rate plus two (28), leaving room for jitter."""
    interval, now, next_slot, sent = 1 / Limits().shared_rate, 0.0, 0.0, []
    for gap, wanted in asks:
        now += gap
        given = grant(next_slot, now, wanted, interval, tolerance)
        next_slot = given.next_slot
        sent += [now] * given.count
    start = 0
    for end, at in enumerate(sent):
        while sent[start] <= at - 1.0:
            start += 1
        assert end - start + 1 <= 28


def test_the_shared_budget_tells_when_the_next_fits() -> None:
    interval = 0.1
    first = grant(0.0, 10.0, 5, interval, tolerance=interval)
    assert first.count == 2 and first.next_in == pytest.approx(0.1)
    later = grant(first.next_slot, 10.1, 5, interval, tolerance=interval)
    assert later.count == 1 and later.next_in == pytest.approx(0.1)
    early = grant(later.next_slot, 10.15, 5, interval, tolerance=interval)
    assert early.count == 0 and early.next_in == pytest.approx(0.05)
