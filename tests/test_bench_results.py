"""Benchmark figures are kept (tests/bench/results/) and shown in docs/benchmarks.md; the
scheduler benchmark's bound is what a sender at Telegram's pace could do at best."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.bench import results
from tests.bench.bench_scheduler import bound_delays, percentile


def test_a_sender_that_keeps_up_adds_no_delay() -> None:
    assert bound_delays([0.0, 1.0, 2.0], rate=2.0) == [0.0, 0.0, 0.0]


def test_alerts_due_together_leave_one_per_interval() -> None:
    delays = bound_delays([5.0] * 4, rate=2.0)
    assert delays == [0.0, 0.5, 1.0, 1.5]
    assert percentile(delays, 0.99) == 1.5


def test_the_bound_of_a_minute_of_uniform_alerts_is_small_but_not_zero() -> None:
    due = [i * 60 / 1000 for i in range(1000)]  # 16.7 a second, under 28.5
    assert max(bound_delays(due, 28.5)) == 0.0
    crowded = [i * 10 / 1000 for i in range(1000)]  # 100 a second, over 28.5
    assert percentile(bound_delays(crowded, 28.5), 0.99) > 20


def test_a_run_is_appended_with_its_commit_and_machine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(results, "RESULTS", tmp_path)
    results.record("bench_fake", {"p99": 0.25}, database="sqlite")
    results.record("bench_fake", {"p99": 0.5})
    lines = [
        json.loads(line)
        for line in (tmp_path / "bench_fake.jsonl").read_text().split("\n")
        if line
    ]
    assert [line["figures"]["p99"] for line in lines] == [0.25, 0.5]
    assert lines[0]["machine"]["database"] == "sqlite"
    assert lines[0]["machine"]["cores"] >= 1 and lines[0]["commit"]


def test_the_docs_show_the_first_and_the_latest_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(results, "RESULTS", tmp_path)
    for p99 in (0.25, 9.0, 0.75):
        results.record("bench_fake", {"p99": p99})
    text = results.documented(f"intro\n{results.BEGIN}\nold\n{results.END}\nafter\n")
    row = next(line for line in text.splitlines() if line.startswith("| p99 |"))
    assert row == "| p99 | 0.25 | 0.75 |"  # the middle run is in the file, not the table
    assert text.startswith("intro\n") and text.endswith("after\n") and "old" not in text


def test_docs_benchmarks_shows_the_results_committed() -> None:
    text = results.DOCS.read_text(encoding="utf-8")
    assert results.documented(text) == text, "run: python -m tests.bench.results"


def test_runs_of_different_cases_are_not_compared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(results, "RESULTS", tmp_path)
    results.record("bench_fake", {"p99": 0.25}, case="small")
    results.record("bench_fake", {"p99": 18.0}, case="large")
    results.record("bench_fake", {"p99": 0.5}, case="small")
    text = results.table()
    small = text[text.index("### bench_fake: small") : text.index("### bench_fake: large")]
    assert "| p99 | 0.25 | 0.5 |" in small and "18" not in small
    assert "| p99 | 18 | 18 |" in text
