"""CPU per update, in one process (issue 13): the application alone, handed `/checkin`
updates one by one, on the database given (SQLite by default, or PostgreSQL).

No HTTP server, no sender, no scheduler: what one update costs the process that handles it,
from the parsed update to its commit. `bench_replicas.py` measures the same update through
the webhook, with everything else running beside it.

- members (in the database already, each with an alias and one trusted contact) each send
  `/checkin 45m Hotel Prueba hab 12, placa TEST-000`;
- CPU ms per update = process CPU time while the application handles them / their number
  (the updates are fetched from the emulator before the clock starts; 50 more are handled
  first, to warm caches and the pool);
- SQL statements per update, counted with an engine event.

    python -m tests.bench.bench_update_cpu
    python -m tests.bench.bench_update_cpu --database-url postgresql+asyncpg://postgres@127.0.0.1:55432/postgres
    python -m tests.bench.bench_update_cpu --statements   # also lists one update's SQL
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event
from telegram import Update

from bot.app import core_from
from bot.config import Settings
from bot.emulator import Emulator
from bot.telegram.application import HANDLED, build_application
from storage.crypto import new_key
from tests.bench.bench_replicas import CHECKIN, open_database, seed_workers
from tests.support.clock import FakeClock
from tests.support.db import fresh_database_url

WARMUP = 50


async def measure(url: str, members: int, statements: bool, profile: str | None) -> dict[str, str]:
    db = await open_database(url, new_key())
    async with Emulator(rate_limits=False) as emulator:
        core = core_from(Settings(), db, FakeClock())
        application = build_application(emulator.token, emulator.base_url, core)
        await application.initialize()
        try:
            workers = await seed_workers(db, emulator, members + WARMUP)
            sql: list[str] = []

            def count(_c: Any, _cur: Any, statement: str, *_: Any) -> None:
                sql.append(statement)

            event.listen(db.engine.sync_engine, "before_cursor_execute", count)
            for worker in workers:
                await worker.user.send(CHECKIN)
            bot = application.bot
            updates: list[Update] = []
            while len(updates) < len(workers):
                batch = await bot.get_updates(
                    offset=updates[-1].update_id + 1 if updates else None, timeout=0, limit=100
                )
                updates.extend(batch)
            await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
            for update in updates[:WARMUP]:
                assert await application.handle(update) == HANDLED
            sql.clear()
            profiler = cProfile.Profile() if profile else None
            wall, cpu = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            for update in updates[WARMUP:]:
                assert await application.handle(update) == HANDLED
            if profiler:
                profiler.disable()
                profiler.dump_stats(profile)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            per_update = len(sql) / members
            if statements:
                one = sql[: round(per_update)]
                for text in one:
                    print("   ", " ".join(text.split())[:160])
        finally:
            await application.shutdown()
            await db.engine.dispose()
    calls = {}
    if profile:
        calls = {"Python calls/update": f"{pstats.Stats(profile).total_calls / members:,.0f}"}  # type: ignore[attr-defined]
    return {
        **calls,
        "updates": f"{members:,}",
        "CPU ms/update": f"{1000 * cpu / members:.2f}",
        "wall ms/update": f"{1000 * wall / members:.2f}",
        "updates/s (serial)": f"{members / wall:.0f}",
        "SQL statements/update": f"{per_update:.1f}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--statements", action="store_true")
    parser.add_argument("--profile", help="write cProfile stats to this file")
    args = parser.parse_args()

    async def run() -> dict[str, str]:
        with tempfile.TemporaryDirectory() as tmp:
            async with fresh_database_url(Path(tmp), args.database_url, "companera_bench_") as url:
                return await measure(url, args.members, args.statements, args.profile)

    row = asyncio.run(run())
    print("| " + " | ".join(row) + " |")
    print("|" + "---:|" * len(row))
    print("| " + " | ".join(row.values()) + " |")
    if args.profile:
        pstats.Stats(args.profile).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    main()
