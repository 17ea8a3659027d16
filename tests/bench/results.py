"""Benchmark figures, kept: each run appends one JSON line to tests/bench/results/NAME.jsonl
with the commit and the machine it ran on, and docs/benchmarks.md shows the first and the
latest line of each file, so that a regression is visible at a glance.

    python -m tests.bench.results            # rewrite the table in docs/benchmarks.md
    python -m tests.bench.results --check    # exit 1 when the table is out of date

A run with `--no-record` writes nothing (a quick look, or the CI guard). Lines are never
edited by hand: a figure is what a run printed, on the commit it names."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
RESULTS = Path(__file__).resolve().parent / "results"
DOCS = ROOT / "docs" / "benchmarks.md"
BEGIN = "<!-- bench-results -->"
END = "<!-- /bench-results -->"


def _git(*args: str) -> str:
    try:
        out = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip()


def commit() -> str:
    """The commit the figures belong to; "+" when the tree had changes not committed."""
    head = _git("rev-parse", "--short=10", "HEAD") or "unknown"
    return head + ("+" if _git("status", "--porcelain", "--untracked-files=no") else "")


def machine(database: str | None = None) -> dict[str, Any]:
    """Where it ran: what decides the figures besides the code."""
    found: dict[str, Any] = {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "load": round(os.getloadavg()[0], 2),  # a busy machine is slower: say so
    }
    if database:
        found["database"] = database
    return found


def record(
    name: str, figures: dict[str, Any], *, case: str = "", database: str | None = None
) -> Path:
    """Append one run's figures to tests/bench/results/NAME.jsonl; returns the file. `case`
    names what was measured ("100,000 active"): only runs of one case are compared."""
    RESULTS.mkdir(exist_ok=True)
    line = {
        "at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "case": case,
        "commit": commit(),
        "machine": machine(database),
        "figures": figures,
    }
    path = RESULTS / f"{name}.jsonl"
    with path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(line, sort_keys=True) + "\n")
    print(f"figures appended to {path}", file=sys.stderr)
    return path


def runs(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _where(run: dict[str, Any]) -> str:
    m = run["machine"]
    db = f", {m['database']}" if m.get("database") else ""
    return f"{run['at'][:10]} `{run['commit']}` ({m['cores']} cores, load {m['load']}{db})"


def table() -> str:
    """The first and the latest run of every benchmark and case, figure by figure."""
    parts = []
    for path in sorted(RESULTS.glob("*.jsonl")):
        cases: dict[str, list[dict[str, Any]]] = {}
        for run in runs(path):
            cases.setdefault(run.get("case", ""), []).append(run)
        for case, found in cases.items():
            parts.extend(_compared(path, case, found))
    return "\n".join(parts).rstrip() + "\n"


def _compared(path: Path, case: str, found: list[dict[str, Any]]) -> list[str]:
    first, latest = found[0], found[-1]
    parts = [f"### {path.stem}{f': {case}' if case else ''}\n"]
    parts.append(f"| figure | first: {_where(first)} | latest: {_where(latest)} |")
    parts.append("|---|---|---|")
    for figure in dict.fromkeys([*first["figures"], *latest["figures"]]):
        before = _cell(first["figures"].get(figure, "—"))
        after = _cell(latest["figures"].get(figure, "—"))
        parts.append(f"| {figure} | {before} | {after} |")
    parts.append(f"\n{len(found)} runs of this case in `tests/bench/results/{path.name}`.\n")
    return parts


def documented(text: str) -> str:
    """docs/benchmarks.md with the table between its markers replaced by `table()`."""
    head, begin, rest = text.partition(BEGIN)
    _, end, tail = rest.partition(END)
    if not begin or not end:
        raise ValueError(f"docs/benchmarks.md has no {BEGIN} ... {END} section")
    return f"{head}{BEGIN}\n{table()}{END}{tail}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail when the docs are stale")
    args = parser.parse_args()
    text = DOCS.read_text(encoding="utf-8")
    wanted = documented(text)
    if args.check:
        if wanted != text:
            sys.exit("docs/benchmarks.md is out of date: run python -m tests.bench.results")
        return
    DOCS.write_text(wanted, encoding="utf-8")


if __name__ == "__main__":
    main()
