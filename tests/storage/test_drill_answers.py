"""Who answered a drill, and when, sealed in the check-in's state: the fullest state (the
longest alarm names, every answer kept, with its time) seals to the same length as none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.records import Alarm, new_id
from storage.checkins import MAX_DRILL_ACKS, open_drill_answers, seal_state
from storage.crypto import new_key

T0 = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)


def test_answers_and_their_times_seal_to_one_length_and_read_back() -> None:
    key, checkin_id = new_key(), new_id()
    acks = tuple(new_id() for _ in range(MAX_DRILL_ACKS))
    times = tuple(T0 + timedelta(seconds=n) for n in range(MAX_DRILL_ACKS))
    longest = max(Alarm, key=lambda alarm: len(alarm.value))
    full = seal_state(
        key, checkin_id, longest, 2, new_id(), drill=(longest, False, acks), acked_at=times
    )
    assert len(full) == len(seal_state(key, new_id(), None, 0, None))
    assert open_drill_answers(key, checkin_id, full) == (longest, False, acks, times)
