"""Scheduler benchmark: N active check-ins in SQLite, 1,000 of them due within one minute.

Prints, for each N: the delay from deadline+grace to the emulator accepting each alert
(p50, p99, max), the bot process's CPU time per idle minute, and its peak RSS.
The bot runs as `companera run` in its own process, against the emulator in this one.

    python -m tests.bench.bench_scheduler                 # N = 10,000 and 100,000
    python -m tests.bench.bench_scheduler --sizes 2000    # a quick look
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil

from bot.core.records import CheckIn, new_id
from bot.core.timers import Stage, Status
from bot.emulator import Emulator
from storage.crypto import Keyring, new_key
from storage.database import Database, make_engine
from storage.migrate import upgrade

DUE = 1000
GRACE = 5
LEAD_IN = 20.0  # seconds from the end of the population to the first deadline+grace
IDLE_SECONDS = 30.0
CHUNK = 2000


async def populate(url: str, key: bytes, size: int, emulator: Emulator) -> dict[int, datetime]:
    """Members and check-ins; returns, per contact chat id, when her alert falls due.

    The far-off check-ins go in first; the 1,000 due ones last, with deadlines counted from
    the end of the population, so that none is overdue before the bot starts. Their workers
    and contacts are people the emulator knows (it refuses unknown chats, as Telegram does).
    """
    engine = make_engine(url)
    await upgrade(engine)
    db = Database(engine, Keyring(key))
    await db.open()
    now = datetime.now(UTC)
    for start in range(DUE, size, CHUNK):
        async with db.unit_of_work() as uow:
            for i in range(start, min(start + CHUNK, size)):
                worker = await uow.members.add(5_000_000 + i, "es", "America/Lima", now)
                await uow.checkins.add(_later(worker.id, now))
            await uow.commit()
    first_due = datetime.now(UTC) + timedelta(seconds=LEAD_IN)
    due_at: dict[int, datetime] = {}
    async with db.unit_of_work() as uow:
        for i in range(DUE):
            worker_chat = emulator.user(f"worker{i}").chat_id
            contact_chat = emulator.user(f"contact{i}").chat_id
            worker = await uow.members.add(worker_chat, "es", "America/Lima", now)
            contact = await uow.members.add(contact_chat, "es", "America/Lima", now)
            await uow.contacts.add(worker.id, contact.id, None, now)
            due_at[contact_chat] = first_due + timedelta(seconds=random.uniform(0, 60))
            await uow.checkins.add(_due(worker.id, now, due_at[contact_chat]))
        await uow.commit()
    await db.close()
    return due_at


def _due(member_id: str, now: datetime, alert_at: datetime) -> CheckIn:
    """Reminded already and past its last call: the next step is the alert."""
    deadline = alert_at - timedelta(seconds=GRACE)
    return CheckIn(
        new_id(),
        member_id,
        Status.ACTIVE,
        Stage.LAST_CALL,
        now,
        deadline,
        alert_at,
        details="Hotel Prueba, placa TEST-000",
    )


def _later(member_id: str, now: datetime) -> CheckIn:
    deadline = now + timedelta(hours=random.uniform(6, 23))
    return CheckIn(
        new_id(),
        member_id,
        Status.ACTIVE,
        Stage.NONE,
        now,
        deadline,
        deadline - timedelta(minutes=10),
        details="Hotel Prueba",
    )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def measure(size: int) -> dict[str, float]:
    key = new_key()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        async with Emulator() as emulator:
            started = time.monotonic()
            due_at = await populate(url, key, size, emulator)
            print(f"  populated {size:,} in {time.monotonic() - started:.0f} s", file=sys.stderr)
            env = {
                **os.environ,
                "TELEGRAM_BOT_TOKEN": emulator.token,
                "TELEGRAM_API_URL": emulator.base_url,
                "DATABASE_URL": url,
                "COMPANERA_MASTER_KEY": base64.b64encode(key).decode(),
                "CHECKIN_GRACE_SECONDS": str(GRACE),
                "COMPANERA_DATA_DIR": tmp,
            }
            with (Path(tmp) / "bot.log").open("w") as log:
                process = await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    "bot.cli",
                    "run",
                    env=env,
                    stdout=asyncio.subprocess.DEVNULL,
                    stderr=log,
                )
                try:
                    return await _observe(emulator, process.pid, due_at)
                finally:
                    process.kill()
                    await process.wait()
                    _show_errors(Path(tmp) / "bot.log")


def _show_errors(path: Path) -> None:
    text = path.read_text()
    if "Traceback" in text or "ERROR" in text:
        print(text[-3000:], file=sys.stderr)


async def _observe(emulator: Emulator, pid: int, due_at: dict[int, datetime]) -> dict[str, float]:
    bot = psutil.Process(pid)
    peak = 0
    deadline = max(due_at.values()) + timedelta(seconds=60)
    while datetime.now(UTC) < deadline:
        peak = max(peak, bot.memory_info().rss)
        if len(_alerts(emulator, due_at)) >= len(due_at):
            break
        await asyncio.sleep(0.2)
    alerts = _alerts(emulator, due_at)
    delays = [max(0.0, sent - due_at[chat].timestamp()) for chat, sent in alerts.items()]
    for _ in range(600):  # idle means idle: every worker's notice delivered first
        if len(emulator.sent) >= 2 * len(due_at):
            break
        await asyncio.sleep(0.2)
    await asyncio.sleep(2)
    cpu_before = sum(bot.cpu_times()[:2])
    await asyncio.sleep(IDLE_SECONDS)
    idle_cpu = (sum(bot.cpu_times()[:2]) - cpu_before) * 60 / IDLE_SECONDS
    peak = max(peak, bot.memory_info().rss)
    return {
        "alerts": len(delays),
        "p50": percentile(delays, 0.5),
        "p99": percentile(delays, 0.99),
        "max": max(delays, default=float("nan")),
        "idle_cpu": idle_cpu,
        "rss_mb": peak / 2**20,
        "429s": emulator.too_many_requests,
    }


def _alerts(emulator: Emulator, due_at: dict[int, datetime]) -> dict[int, float]:
    """The first alert each contact received, by the emulator's wall clock."""
    first: dict[int, float] = {}
    for message in emulator.sent:
        if message.chat_id in due_at and message.text and "ALERTA" in message.text:
            first.setdefault(message.chat_id, message.sent_wall)
    return first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    rows = []
    for size in args.sizes:
        print(f"measuring {size:,} active check-ins ...", file=sys.stderr)
        rows.append((size, asyncio.run(measure(size))))
    print(
        f"\n{'active':>8} {'alerts':>7} {'p50 s':>7} {'p99 s':>7} {'max s':>7} "
        f"{'CPU s/idle min':>15} {'peak RSS MB':>12} {'429s':>5}"
    )
    for size, r in rows:
        print(
            f"{size:>8,} {r['alerts']:>7.0f} {r['p50']:>7.3f} {r['p99']:>7.3f} {r['max']:>7.3f} "
            f"{r['idle_cpu']:>15.3f} {r['rss_mb']:>12.1f} {r['429s']:>5.0f}"
        )
    print(
        f"\n{DUE:,} alerts due within one minute; grace {GRACE} s; goals: p99 < 1 s, "
        "idle CPU near zero, RSS < 200 MB at 100,000."
    )


if __name__ == "__main__":
    main()
