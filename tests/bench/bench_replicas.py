"""Replica benchmark (issue 7): one `companera run` process against three, in webhook mode on
one PostgreSQL, behind the round-robin forwarder of tests/support/replicas.py.

- updates: 1,000 members (in the database already, each with an alias and one trusted
  contact) send the one-message form `/checkin 45m Hotel Prueba hab 12, placa TEST-000` at
  the same instant; the emulator (in this process) posts them to the webhook as Telegram
  does, up to 40 at once and one per chat at a time. Updates/s = 1,000 / (first update
  queued -> last one answered 200, which a replica does only once its effects are
  committed). The replies those updates queue go out later through the outbox, paced at
  28.5 messages/s for all replicas together: they are not part of this figure, but how
  many went out meanwhile is shown (replies/s meanwhile). p50/p99 per update come from the
  replicas' `companera_update_seconds` histograms, interpolated, with the bucket they lie
  in: from the request's arrival to the answer, so they include the wait for one of the
  AT_ONCE slots of a replica. Also the replicas' CPU time per update. The run checks that
  every update was recorded in `handled_updates` and that `checkins` holds 1,000 rows.
- alerts: 1,000 workers whose check-ins all fall due (deadline + grace) at the same
  instant, each with one contact; the instant is set at seeding, 15 s + 5 s per replica
  ahead, so that the replicas have answered /healthz and sit idle by then (a warning says
  when they came up late). Delay =
  the emulator's acceptance of the contact's alert (SentMessage.sent_wall) minus that
  instant: p50, p99, max (the time until the last alert); total = first alert -> last
  alert, the delivery itself; the busiest second (most messages in any sliding second, all
  messages the emulator accepted); 429s from the emulator; alerts that went out twice.

Each run gets a fresh database on the server, dropped afterwards. Everything (PostgreSQL,
the replicas, the emulator and this process) shares one machine: read the figures with its
number of cores in mind.

    python -m tests.bench.bench_replicas \\
        --database-url postgresql+asyncpg://postgres@127.0.0.1:55432/postgres
    python -m tests.bench.bench_replicas --database-url ... --members 200 --replicas 1
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import psutil
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from bot.core.records import CheckIn, Member, new_id
from bot.core.timers import Stage, Status
from bot.emulator import EmulatedUser, Emulator
from storage.crypto import Keyring, new_key
from storage.database import Database, make_engine
from storage.migrate import upgrade
from storage.models import CheckInRow, HandledUpdate
from tests.bench.bench_delivery import percentile
from tests.support.db import fresh_database_url
from tests.support.replicas import Replicas, busiest_second

GRACE = 5
SETTINGS = {"CHECKIN_GRACE_SECONDS": str(GRACE)}
CHECKIN = "/checkin 45m Hotel Prueba hab 12, placa TEST-000"
DETAILS = "Hotel Prueba hab 12, placa TEST-000"
SEED_BATCH = 500  # members per transaction
LEAD = timedelta(seconds=5)  # at least, from the replicas answering /healthz to the alerts
UPDATES_TIMEOUT = 600.0
SETTLE = 3.0  # seconds after the last alert, for any second copy to show up


@dataclass(frozen=True)
class Worker:
    """A seeded worker: her Telegram side, her member record, her contact's chat id."""

    user: EmulatedUser
    member: Member
    contact_chat: int


# -- the database ---------------------------------------------------------------------------


async def open_database(url: str, key: bytes) -> Database:
    engine = make_engine(url)
    await upgrade(engine)
    db = Database(engine, Keyring(key))
    await db.open()
    return db


async def seed_workers(db: Database, emulator: Emulator, count: int) -> list[Worker]:
    """`count` workers with an alias and one trusted contact each, as members who went
    through /start and /invite; all of them people the emulator knows."""
    now = datetime.now(UTC)
    workers: list[Worker] = []
    for start in range(0, count, SEED_BATCH):
        async with db.unit_of_work() as uow:
            for i in range(start, min(start + SEED_BATCH, count)):
                user = emulator.user(f"socia-prueba-{i:04d}")
                contact_chat = emulator.user(f"contacto-prueba-{i:04d}").chat_id
                member = await uow.members.add(user.chat_id, "es", "UTC", now)
                member = replace(member, alias=f"Prueba {i:04d}")
                await uow.members.save(member)
                contact = await uow.members.add(contact_chat, "es", "UTC", now)
                await uow.contacts.add(member.id, contact.id, None, now)
                workers.append(Worker(user, member, contact_chat))
            await uow.commit()
    return workers


async def seed_due_checkins(db: Database, workers: list[Worker], due: datetime) -> None:
    """A check-in per worker, reminded already and past its last call: its next step is the
    alert, at `due` for all of them."""
    now = datetime.now(UTC)
    async with db.unit_of_work() as uow:
        for worker in workers:
            await uow.checkins.add(
                CheckIn(
                    new_id(),
                    worker.member.id,
                    Status.ACTIVE,
                    Stage.LAST_CALL,
                    now,
                    due - timedelta(seconds=GRACE),
                    due,
                    details=DETAILS,
                )
            )
        await uow.commit()


async def count_rows(db: Database, table: type[CheckInRow] | type[HandledUpdate]) -> int:
    async with db.engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(table)) or 0)


# -- the replicas' side ---------------------------------------------------------------------


@dataclass
class Scrape:
    """What the replicas' /metrics say, added up: outcomes and the update histogram."""

    outcomes: Counter[str]
    buckets: dict[float, float]  # upper bound -> cumulative count


async def scrape(addresses: list[str]) -> Scrape:
    outcomes: Counter[str] = Counter()
    buckets: dict[float, float] = {}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
        for address in addresses:
            async with http.get(f"{address}/metrics") as answer:
                body = await answer.text()
            for family in text_string_to_metric_families(body):
                for sample in family.samples:
                    if sample.name == "companera_updates_total":
                        outcomes[sample.labels["outcome"]] += int(sample.value)
                    elif sample.name == "companera_update_seconds_bucket":
                        bound = float(sample.labels["le"])
                        buckets[bound] = buckets.get(bound, 0.0) + sample.value
    return Scrape(outcomes, dict(sorted(buckets.items())))


def histogram_quantile(buckets: dict[float, float], q: float) -> tuple[float, float, float]:
    """As PromQL's histogram_quantile (linear within the bucket the quantile falls in), with
    that bucket's bounds: (estimate, lower, upper)."""
    total = buckets.get(math.inf, 0.0)
    if not total:
        return math.nan, math.nan, math.nan
    rank = q * total
    lower, below = 0.0, 0.0
    for bound, cumulative in buckets.items():
        if cumulative >= rank:
            if bound == math.inf:
                return lower, lower, math.inf
            inside = cumulative - below
            share = (rank - below) / inside if inside else 1.0
            return lower + (bound - lower) * share, lower, bound
        lower, below = bound, cumulative
    return lower, lower, math.inf


def quantile_text(buckets: dict[float, float], q: float) -> str:
    """ "1.73 s (1-2.5)": the estimate and the bucket it lies in, since buckets are coarse."""
    estimate, lower, upper = histogram_quantile(buckets, q)
    return f"{estimate:.2f} s ({lower:g}-{upper:g})"


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time of these processes so far."""
    return sum(sum(psutil.Process(pid).cpu_times()[:2]) for pid in pids)


async def wait_for(condition: Callable[[], bool], timeout: float, every: float = 0.2) -> bool:
    """Until `condition()` holds (True) or `timeout` seconds pass (False)."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if condition():
            return True
        await asyncio.sleep(every)
    return condition()


def show_trouble(replicas: Replicas, always: bool = False) -> None:
    """The tail of each replica's log that shows an error (or of every log, `always`)."""
    for port in replicas.ports:
        log = replicas.log(port)
        if always or re.search(r'"level": "(ERROR|CRITICAL)"|Traceback', log):
            print(f"--- replica {port}, last lines ---\n{log[-3000:]}", file=sys.stderr)


# -- updates per second ---------------------------------------------------------------------


async def measure_updates(server: str, processes: int, members: int) -> dict[str, str]:
    key = new_key()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        async with (
            fresh_database_url(tmp, server, "companera_bench_") as url,
            Emulator(rate_limits=True) as emulator,
        ):
            db = await open_database(url, key)
            try:
                workers = await seed_workers(db, emulator, members)
                print(f"  seeded {members:,} workers and contacts", file=sys.stderr)
                async with Replicas(
                    emulator, url, key, tmp, count=processes, settings=SETTINGS
                ) as replicas:
                    try:
                        return await _checkins_at_once(db, emulator, replicas, workers)
                    except BaseException:
                        show_trouble(replicas, always=True)
                        raise
            finally:
                await db.close()


async def _checkins_at_once(
    db: Database, emulator: Emulator, replicas: Replicas, workers: list[Worker]
) -> dict[str, str]:
    pids = [process.pid for process in replicas.processes.values()]
    cpu_before, sent_before = cpu_seconds(pids), len(emulator.sent)
    started = time.perf_counter()
    for worker in workers:
        await worker.user.send(CHECKIN)
    queued = time.perf_counter() - started
    await wait_for(lambda: not emulator.updates.pending, UPDATES_TIMEOUT, every=0.01)
    took = time.perf_counter() - started
    cpu = cpu_seconds(pids) - cpu_before
    replies = len(emulator.sent) - sent_before
    left = len(emulator.updates.pending)
    if left:
        print(f"  {left:,} updates still pending after {took:.0f} s", file=sys.stderr)
    handled = await count_rows(db, HandledUpdate)
    checkins = await count_rows(db, CheckInRow)
    if checkins != len(workers):
        print(f"  {len(workers) - checkins:,} /checkin started nothing", file=sys.stderr)
    metrics = await scrape([replicas.monitoring(port) for port in replicas.ports])
    show_trouble(replicas, always=bool(left) or checkins != len(workers))
    per_replica = sorted(Counter(port for _, port in replicas.forwarder.served).values())
    print(
        f"  queued in {queued * 1000:.0f} ms; {handled:,} recorded, {checkins:,} check-ins; "
        f"outcomes {dict(metrics.outcomes)}; per replica {per_replica}",
        file=sys.stderr,
    )
    return {
        "updates": f"{handled:,}",
        "check-ins": f"{checkins:,}",
        "seconds": f"{took:.2f}",
        "updates/s": f"{handled / took:.1f}",
        "p50 per update": quantile_text(metrics.buckets, 0.5),
        "p99 per update": quantile_text(metrics.buckets, 0.99),
        "replica CPU ms/update": f"{cpu * 1000 / max(handled, 1):.0f}",
        "replies/s meanwhile": f"{replies / took:.1f}",
        "retried (503)": f"{metrics.outcomes['failed']}",
        "per replica": "/".join(str(n) for n in reversed(per_replica)),
    }


# -- alerts at one instant ------------------------------------------------------------------


async def measure_alerts(server: str, replicas_count: int, members: int) -> dict[str, str]:
    key = new_key()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        async with (
            fresh_database_url(tmp, server, "companera_bench_") as url,
            Emulator(rate_limits=True) as emulator,
        ):
            db = await open_database(url, key)
            try:
                workers = await seed_workers(db, emulator, members)
                # Due after the replicas are up: starting three takes some seconds here.
                due = datetime.now(UTC) + timedelta(seconds=15 + 5 * replicas_count)
                await seed_due_checkins(db, workers, due)
                print(f"  seeded {members:,} check-ins due at one instant", file=sys.stderr)
            finally:
                await db.close()
            async with Replicas(
                emulator, url, key, tmp, count=replicas_count, settings=SETTINGS
            ) as replicas:
                try:
                    return await _alerts_at_once(emulator, replicas, workers, due)
                except BaseException:
                    show_trouble(replicas, always=True)
                    raise


async def _alerts_at_once(
    emulator: Emulator, replicas: Replicas, workers: list[Worker], due: datetime
) -> dict[str, str]:
    ready = datetime.now(UTC)
    margin = (due - ready).total_seconds()
    print(f"  replicas ready {margin:.1f} s before the alerts fall due", file=sys.stderr)
    if ready + LEAD > due:
        print("  warning: the replicas came up late; delays include their start", file=sys.stderr)
    contacts = {worker.contact_chat for worker in workers}
    give_up = (due - ready).total_seconds() + 120 + 3 * len(workers) / 28.5
    await wait_for(lambda: len(_first_alerts(emulator, contacts)) >= len(contacts), give_up)
    await asyncio.sleep(SETTLE)
    first = _first_alerts(emulator, contacts)
    copies = sum(1 for m in emulator.sent if m.chat_id in contacts and "ALERTA" in (m.text or ""))
    delays = [max(0.0, sent - due.timestamp()) for sent in first.values()]
    show_trouble(replicas, always=len(first) < len(contacts))
    if copies > len(first):
        print(f"  {copies - len(first)} alerts went out twice", file=sys.stderr)
    return {
        "alerts": f"{len(first):,}",
        "p50 s": f"{percentile(delays, 0.5):.2f}",
        "p99 s": f"{percentile(delays, 0.99):.2f}",
        "max s": f"{max(delays, default=float('nan')):.2f}",
        "total s": f"{max(first.values()) - min(first.values()):.1f}" if first else "nan",
        "busiest second": f"{busiest_second([m.sent_wall for m in emulator.sent])}",
        "429s": f"{emulator.too_many_requests}",
        "twice": f"{copies - len(first)}",
    }


def _first_alerts(emulator: Emulator, contacts: set[int]) -> dict[int, float]:
    """When each contact's first alert was accepted, by the emulator's wall clock."""
    first: dict[int, float] = {}
    for message in emulator.sent:
        if message.chat_id in contacts and "ALERTA" in (message.text or ""):
            first.setdefault(message.chat_id, message.sent_wall)
    return first


# -- the tables -----------------------------------------------------------------------------


def print_table(first: str, rows: list[tuple[int, dict[str, str]]]) -> None:
    columns = [first, *rows[0][1]]
    print("\n| " + " | ".join(columns) + " |")
    print("|" + "---:|" * len(columns))
    for count, result in rows:
        print("| " + " | ".join([str(count), *result.values()]) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url", required=True, help="a PostgreSQL server's admin database"
    )
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 3])
    parser.add_argument("--only", choices=["updates", "alerts"])
    args = parser.parse_args()
    if not args.database_url.startswith("postgresql"):
        raise SystemExit("several replicas need PostgreSQL: --database-url postgresql+asyncpg://")
    updates: list[tuple[int, dict[str, str]]] = []
    alerts: list[tuple[int, dict[str, str]]] = []
    for count in args.replicas:
        if args.only != "alerts":
            print(
                f"updates: {args.members:,} /checkin at once, {count} process(es) ...",
                file=sys.stderr,
            )
            updates.append(
                (count, asyncio.run(measure_updates(args.database_url, count, args.members)))
            )
        if args.only != "updates":
            print(
                f"alerts: {args.members:,} due at one instant, {count} replica(s) ...",
                file=sys.stderr,
            )
            alerts.append(
                (count, asyncio.run(measure_alerts(args.database_url, count, args.members)))
            )
    if updates:
        print_table("processes", updates)
        print(
            "\nWebhook mode, one-message /checkin from each member at once; seconds from the "
            "first update queued to the last answered. p50/p99 per update from the "
            "replicas' histograms (the bucket in parentheses), queueing for a slot included. "
            "Replies go out through the outbox, paced apart, and are not in updates/s. "
            f"{os.cpu_count()} cores for everything."
        )
    if alerts:
        print_table("replicas", alerts)
        print(
            f"\nDelays in seconds from deadline + grace ({GRACE} s) to the emulator accepting "
            "the alert; total = first alert to last; busiest second over every message "
            "accepted; emulator limits on (30 msg/s, 1/s per chat)."
        )


if __name__ == "__main__":
    main()
