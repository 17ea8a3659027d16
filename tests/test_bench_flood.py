"""tests/bench/bench_flood.py at a tiny size, so that it cannot rot: 50 overdue check-ins
(200 alert messages), the real `companera run` against the emulator with Telegram's limits
on. Its timings mean nothing at this size; that the alerts left in order of how overdue they
were, and that /help was answered during the flood, do."""

from __future__ import annotations

import pytest

from tests.bench import bench_flood
from tests.support.db import TEST_DATABASE_URL


@pytest.mark.slow
def test_the_flood_bench_runs_to_the_end(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--checkins", "50", "--no-record"]
    if TEST_DATABASE_URL:
        argv += ["--database-url", TEST_DATABASE_URL]
    result = bench_flood.main(argv)
    assert result["checkins"] == 50
    assert result["alert_messages"] == 200  # an alert and a pin to each of two contacts
    # the most overdue first (a few neighbours may swap among the 8 requests in flight)
    assert result["inversions"] <= result["pairs"] // 100
    assert result["help_asked"] >= 1  # answered during the flood
    assert result["help_max"] < 60
    assert result["429s"] == 0
    assert "/help during the flood" in capsys.readouterr().out
