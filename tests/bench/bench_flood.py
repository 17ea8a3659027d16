"""Flood benchmark (issue 18): the bot was down for an hour while N check-ins passed their
deadline + grace; each has two trusted contacts and a location, so that each alert is four
messages (an alert and a pin to each contact), and her own "your contacts were alerted"
after. A tenth as many check-ins have a reminder overdue too. Then `companera run` starts
(one process, or `--replicas` of them behind the webhook forwarder of
tests/support/replicas.py) against the emulator with Telegram's limits on, and a member
writes /help every few seconds during the flood.

Prints: the time from the first message to the last alert message against the bound (alert
messages / 28.5 s: Telegram's limit, nobody can do better), and from the start of the
processes; whether alerts left in order of how overdue they were (inversions among the
check-ins' first alert messages, out of all pairs); messages of any other kind (reminders,
her notices) sent before the last alert, apart from the /help replies (at the very end a
few go while the last pins wait for their alerts: one request at a time per chat); the
/help reply p50/p99/max during the flood; the processes' CPU per alert message (from the
first message on) and their peak RSS together. The
database is filled through the real sealing code in few transactions (tests/bench/fill.py).

    python -m tests.bench.bench_flood                         # 10,000 check-ins, SQLite
    python -m tests.bench.bench_flood --checkins 1000 --no-record        # a quick look
    python -m tests.bench.bench_flood --replicas 3 \\
        --database-url postgresql+asyncpg://postgres@127.0.0.1:55432/postgres
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil

from bot.core.records import CheckIn, Location, new_id
from bot.core.timers import Stage, Status
from bot.delivery.pacing import Limits
from bot.emulator import Emulator
from storage.crypto import Keyring, new_key
from storage.database import Database, make_engine
from storage.migrate import upgrade
from tests.bench import results
from tests.bench.fill import batched
from tests.support.db import fresh_database_url
from tests.support.replicas import Replicas

GRACE = 60
OUTAGE = 3600.0  # seconds the bot was down; every deadline + grace fell within them
CONTACTS = 2
PER_ALERT = 2 * CONTACTS  # an alert and a pin, to each contact
HELP_EVERY = 3.0  # seconds between her /help (after each answer)
CHUNK = 2000
SETTINGS = {"CHECKIN_GRACE_SECONDS": str(GRACE), "COMPANERA_LOG_LEVEL": "WARNING"}


async def populate(
    url: str, key: bytes, checkins: int, emulator: Emulator
) -> tuple[dict[int, int], set[int]]:
    """The overdue check-ins; returns, per contact chat, the rank of her check-in by how
    overdue it is (0: the most), and the workers' chats."""
    engine = make_engine(url)
    await upgrade(engine)
    db = Database(engine, Keyring(key))
    await db.open()
    now = datetime.now(UTC)
    overdue = sorted((random.uniform(1, OUTAGE) for _ in range(checkins)), reverse=True)
    rank: dict[int, int] = {}
    workers: set[int] = set()
    for start in range(0, checkins, CHUNK):
        async with db.unit_of_work() as uow:
            async with batched(uow):
                for i in range(start, min(start + CHUNK, checkins)):
                    chat = emulator.user(f"worker{i}").chat_id
                    workers.add(chat)
                    worker = await uow.members.add(chat, "es", "America/Lima", now)
                    for c in range(CONTACTS):
                        contact_chat = emulator.user(f"contact{i}-{c}").chat_id
                        contact = await uow.members.add(contact_chat, "es", "America/Lima", now)
                        await uow.contacts.add(worker.id, contact.id, f"Contacto {c}", now)
                        rank[contact_chat] = i
                    alert_at = now - timedelta(seconds=overdue[i])
                    await uow.checkins.add(_overdue(worker.id, alert_at))
                    if i % 10 == 0:  # a reminder overdue too: it waits for every alert
                        chat = emulator.user(f"reminded{i}").chat_id
                        workers.add(chat)
                        reminded = await uow.members.add(chat, "es", "America/Lima", now)
                        await uow.checkins.add(_reminder_due(reminded.id, alert_at))
            await uow.commit()
    await db.close()
    return rank, workers


def _overdue(member_id: str, alert_at: datetime) -> CheckIn:
    """Reminded, past its last call and its grace: the next step is the alert."""
    deadline = alert_at - timedelta(seconds=GRACE)
    return CheckIn(
        new_id(),
        member_id,
        Status.ACTIVE,
        Stage.LAST_CALL,
        deadline - timedelta(hours=2),
        deadline,
        alert_at,
        details="Hotel Prueba, placa TEST-000",
        location=Location(-12.0464, -77.0428, deadline - timedelta(minutes=30)),
    )


def _reminder_due(member_id: str, remind_at: datetime) -> CheckIn:
    deadline = datetime.now(UTC) + timedelta(hours=3)
    return CheckIn(
        new_id(),
        member_id,
        Status.ACTIVE,
        Stage.NONE,
        remind_at - timedelta(hours=1),
        deadline,
        remind_at,
        details="Hotel Prueba",
    )


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def inversions(sequence: list[int]) -> int:
    """Pairs that left in the wrong order (a less overdue check-in's alert first)."""
    seen: list[int] = []
    count = 0
    for value in sequence:
        position = bisect.bisect_right(seen, value)
        count += len(seen) - position
        seen.insert(position, value)
    return count


async def measure(checkins: int, server: str, replicas: int) -> dict[str, float]:
    key = new_key()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        async with (
            fresh_database_url(tmp, server, "companera_bench_") as url,
            Emulator(rate_limits=True) as emulator,
        ):
            started = time.monotonic()
            rank, workers = await populate(url, key, checkins, emulator)
            filled = time.monotonic() - started
            print(f"  filled {checkins:,} in {filled:.0f} s", file=sys.stderr)
            writer = emulator.user("escribe-ayuda")
            begun = time.time()
            bots = Replicas(emulator, url, key, tmp, count=replicas, settings=SETTINGS)
            async with bots:
                try:
                    figures = await _observe(emulator, bots, rank, workers, writer, begun)
                except BaseException:
                    print(bots.logs_text()[-3000:], file=sys.stderr)
                    raise
            figures["fill_s"] = filled
            return figures


async def _observe(
    emulator: Emulator,
    bots: Replicas,
    rank: dict[int, int],
    workers: set[int],
    writer: object,
    begun: float,
) -> dict[str, float]:
    processes = [psutil.Process(p.pid) for p in bots.processes.values()]
    expected = len(rank) * 2  # an alert and a pin to each contact
    help_delays: list[float] = []
    flood_over = asyncio.Event()
    helper = asyncio.create_task(_ask_for_help(emulator, writer, help_delays, flood_over))
    peak = 0
    cpu_at_first: float | None = None  # the processes' start-up is not the flood's
    limit = time.monotonic() + 120 + 4 * expected / Limits().global_rate
    while time.monotonic() < limit:
        peak = max(peak, sum(p.memory_info().rss for p in processes))
        if cpu_at_first is None and emulator.sent:
            cpu_at_first = _cpu(processes)
        if sum(message.chat_id in rank for message in emulator.sent) >= expected:
            break
        await asyncio.sleep(0.1 if cpu_at_first is None else 0.5)
    flood_over.set()
    await helper
    cpu = _cpu(processes) - (cpu_at_first or 0.0)
    sent = emulator.sent
    to_contacts = [m for m in sent if m.chat_id in rank]
    first_alert: dict[int, int] = {}
    for message in to_contacts:
        first_alert.setdefault(rank[message.chat_id], len(first_alert))
    order = [r for r, _ in sorted(first_alert.items(), key=lambda item: item[1])]
    pairs = len(order) * (len(order) - 1) // 2
    last_alert = max((m.sent_wall for m in to_contacts), default=float("nan"))
    first = min((m.sent_wall for m in sent), default=float("nan"))
    others_before = sum(m.chat_id in workers and m.sent_wall < last_alert for m in sent)
    rate = Limits().shared_rate if len(processes) > 1 else Limits().global_rate
    return {
        "checkins": len(rank) // CONTACTS,
        "alert_messages": len(to_contacts),
        "to_last_alert_s": last_alert - first,
        "bound_s": (len(to_contacts) - 1) / rate,
        "from_start_s": last_alert - begun,
        "inversions": inversions(order),
        "pairs": pairs,
        "others_before_last_alert": others_before,
        "help_asked": len(help_delays),
        "help_p50": percentile(help_delays, 0.5),
        "help_p99": percentile(help_delays, 0.99),
        "help_max": max(help_delays, default=float("nan")),
        "cpu_ms_per_alert_message": 1000 * cpu / max(1, len(to_contacts)),
        "rss_mb": peak / 2**20,
        "429s": emulator.too_many_requests,
    }


def _cpu(processes: list[psutil.Process]) -> float:
    return float(sum(sum(p.cpu_times()[:2]) for p in processes))


async def _ask_for_help(
    emulator: Emulator, writer: object, delays: list[float], over: asyncio.Event
) -> None:
    """She writes /help, waits for the answer, and again a few seconds later, until the last
    alert has gone (the answer to a /help asked during the flood is counted)."""
    user = writer  # an EmulatedUser
    while not over.is_set():
        before = len(user.inbox())  # type: ignore[attr-defined]
        asked = time.time()
        await user.send("/help")  # type: ignore[attr-defined]
        while len(user.inbox()) <= before:  # type: ignore[attr-defined]
            if time.time() - asked > 120:
                return
            await asyncio.sleep(0.02)
        delays.append(user.inbox()[before].sent_wall - asked)  # type: ignore[attr-defined]
        try:
            await asyncio.wait_for(over.wait(), HELP_EVERY)
        except TimeoutError:
            pass


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--checkins", type=int, default=10_000)
    parser.add_argument("--database-url", default="", help="PostgreSQL admin url (else SQLite)")
    parser.add_argument("--replicas", type=int, default=1)
    parser.add_argument("--no-record", action="store_true", help="append no figures")
    args = parser.parse_args(argv)
    print(f"flood of {args.checkins:,} overdue check-ins ...", file=sys.stderr)
    r = asyncio.run(measure(args.checkins, args.database_url, args.replicas))
    database = "postgresql" if args.database_url else "sqlite"
    print(
        f"\ncheck-ins {r['checkins']:,.0f}, alert messages {r['alert_messages']:,.0f} "
        f"({database}, {args.replicas} process(es); filled in {r['fill_s']:.0f} s)\n"
        f"first message -> last alert: {r['to_last_alert_s']:.1f} s; bound "
        f"{r['bound_s']:.1f} s (messages / rate); from the start: {r['from_start_s']:.1f} s\n"
        f"order: {r['inversions']:,.0f} inversions in {r['pairs']:,.0f} pairs; "
        f"other messages before the last alert: {r['others_before_last_alert']:.0f}\n"
        f"/help during the flood ({r['help_asked']:.0f} asked): p50 {r['help_p50']:.2f} s, "
        f"p99 {r['help_p99']:.2f} s, max {r['help_max']:.2f} s\n"
        f"CPU {r['cpu_ms_per_alert_message']:.2f} ms per alert message; peak RSS "
        f"{r['rss_mb']:.0f} MB; 429s {r['429s']:.0f}"
    )
    if not args.no_record:
        results.record(
            "bench_flood",
            {"replicas": args.replicas, **r},
            case=f"{args.checkins:,} overdue, {args.replicas} process(es)",
            database=database,
        )
    return r


if __name__ == "__main__":
    main()
