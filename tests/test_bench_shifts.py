"""tests/bench/bench_shifts.py at a tiny size, so that it cannot rot: two shifts of three,
the real `companera run` against the emulator, every alert, last call and status edit
accounted for. Its figures mean nothing at this size; that it runs to the end does."""

from __future__ import annotations

import pytest

from tests.bench import bench_shifts
from tests.support.db import TEST_DATABASE_URL


@pytest.mark.slow
def test_the_shift_bench_runs_to_the_end(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--shifts", "2", "--contacts", "1", "--grace", "3", "--window", "2", "--lead", "12"]
    argv.append("--no-record")
    if TEST_DATABASE_URL:
        argv += ["--database-url", TEST_DATABASE_URL]
    result = bench_shifts.main(argv)
    assert result["alerts"] == "6"  # two partners and one contact, for each of two deadlines
    assert result["status edits"] == "6"  # each shift's three status messages, edited once
    assert result["429s"] == "0"
    assert "nan" not in result["her last call, p50 / p99 / max"]
    assert "| status edits per minute" in capsys.readouterr().out
