"""Peer network benchmark: one warning fanned out to 5,000 followers, and /check among
100,000 active warnings.

- fanout: `companera run` in its own process against a fresh emulator (in this process) with
  Telegram's limits on: 30 messages/s in all, 1/s per chat with bursts of 3, 429 with
  retry_after beyond. A network with `moderation: open` whose N members all follow
  "centro"; once the bot answers, one more member publishes a warning from this process
  (`warnings.submit`, as /warn does), which writes one outbox row per follower in its own
  transaction; the bot's sender finds them at its next look at the database (every 5 s at
  most, since nothing in its process woke it) and delivers them. A probe sends /help every
  5 s during the delivery. Measured at the emulator: submit -> first and last delivered,
  messages/s sustained (every message accepted from the first to the last of the warning,
  divided by that time), the busiest second, 429s, /help reply delay; and the submit
  transaction itself.
- check: M published warnings with a phone number each, in one network, and a member in it;
  then `warnings.check_phone` in this process (no Telegram) for random numbers, half listed
  and half not, each call timed: p50, p99, max; and the size of the database.

SQLite by default; `--database-url` names a PostgreSQL server's admin database (as
COMPANERA_TEST_DATABASE_URL does for the tests): each measurement gets a database of its own
there, dropped afterwards.

    python -m tests.bench.bench_networks                        # 5,000 followers, 100,000
    python -m tests.bench.bench_networks --members 300 --warnings 5000   # a quick look
    python -m tests.bench.bench_networks --only check \\
        --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres
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
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text

from bot.app import core_from
from bot.config import Settings
from bot.core.clock import SystemClock
from bot.core.context import Core, Refused
from bot.core.network_config import parse_config
from bot.core.networks import ACTIVE, MEMBER, create_network
from bot.core.records import Member
from bot.core.warnings import check_phone, submit
from bot.emulator import EmulatedUser, Emulator
from storage.crypto import Keyring, new_key
from storage.database import Database, make_engine
from storage.migrate import upgrade
from storage.warnings import PUBLISHED
from tests.bench.bench_delivery import percentile
from tests.support.db import fresh_database_url

NETWORK = "Red de prueba"
AREA = "centro"
CONFIG = """
region: MX
moderation: open
review_first: 0  # the reporter is new: her warning publishes without review
publish_delay_minutes: 0  # at once: the bench measures the fan-out, not the delay
areas:
  - id: centro
    name: Centro
  - name: La Merced
"""
TEXT = "Aviso de prueba: cliente violento en el hotel de la esquina"
ZONE = "America/Mexico_City"
SEED_BATCH = 1000  # members per transaction
WARNING_BATCH = 2000  # warnings per transaction
PROBE_EVERY = 5.0
WARM_UP = 5  # checks before the timed ones: the first opens connections and fills caches


# -- databases ------------------------------------------------------------------------------


async def open_database(url: str, key: bytes) -> Database:
    """The database at `url`, migrated, opened with `key`."""
    engine = make_engine(url)
    await upgrade(engine)
    db = Database(engine, Keyring(key))
    await db.open()
    return db


async def database_size(db: Database, url: str) -> int:
    """Bytes on disk: the SQLite file and its write-ahead log, or pg_database_size."""
    if db.is_postgres:
        async with db.engine.connect() as connection:
            size = await connection.scalar(text("SELECT pg_database_size(current_database())"))
        return int(size or 0)
    path = Path(url.partition(":///")[2])
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())


async def new_network(core: Core) -> str:
    """A network made as the operator makes one; returns its id."""
    created = await create_network(core, NETWORK, parse_config(CONFIG))
    if isinstance(created, Refused):
        raise SystemExit(f"create_network refused: {created.reason}")
    async with core.unit() as uow:
        network = await uow.networks.find_by_name(NETWORK)
    assert network is not None
    return network.id


async def add_member(core: Core, network_id: str, chat_id: int) -> Member:
    now = core.clock.now()
    async with core.unit() as uow:
        member = await uow.members.add(chat_id, "es", ZONE, now)
        await uow.networks.join(network_id, member.id, MEMBER, ACTIVE, now)
    return member


# -- fan-out --------------------------------------------------------------------------------


async def seed_followers(core: Core, network_id: str, people: list[EmulatedUser]) -> None:
    """Members of the network who all follow AREA, a batch per transaction."""
    now = core.clock.now()
    for start in range(0, len(people), SEED_BATCH):
        async with core.unit() as uow:
            area = await uow.networks.digest(network_id, "area", AREA)
            for person in people[start : start + SEED_BATCH]:
                member = await uow.members.add(person.chat_id, "es", ZONE, now)
                membership = await uow.networks.join(network_id, member.id, MEMBER, ACTIVE, now)
                await uow.networks.follow(membership.id, area)
        print(f"  {min(start + SEED_BATCH, len(people)):,} followers", file=sys.stderr)


async def spawn_bot(
    emulator: Emulator, url: str, key: bytes, tmp: Path
) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": emulator.token,
        "TELEGRAM_API_URL": emulator.base_url,
        "DATABASE_URL": url,
        "COMPANERA_MASTER_KEY": base64.b64encode(key).decode(),
        "COMPANERA_DATA_DIR": str(tmp),
    }
    log = (tmp / "bot.log").open("w")
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "run",
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=log,
    )


def _names_checkin(text: str | None) -> bool:
    """A reply that names the check-in command, under its Spanish or English name."""
    return any(name in (text or "") for name in ("/cita", "/checkin"))


def _help_replies(probe: EmulatedUser) -> list[float]:
    return [m.sent_at for m in probe.inbox() if _names_checkin(m.text)]


async def wait_until_answering(probe: EmulatedUser, timeout: float = 60.0) -> None:
    """Until the bot answers /help: started, migrated and polling."""
    deadline = time.monotonic() + timeout
    while not _help_replies(probe):
        if time.monotonic() > deadline:
            raise SystemExit(f"the bot did not answer /help within {timeout:.0f} s")
        await probe.send("/help")
        await asyncio.sleep(2.0)


async def measure_fanout(members: int, admin_url: str | None) -> dict[str, str]:
    key = new_key()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        async with (
            fresh_database_url(tmp, admin_url or "", "companera_bench_") as url,
            Emulator() as emulator,
        ):
            followers = [emulator.user(f"peer-{n:05d}") for n in range(members)]
            probe = emulator.user("probe")
            db = await open_database(url, key)
            try:
                core = core_from(Settings(), db, SystemClock())
                network_id = await new_network(core)
                await seed_followers(core, network_id, followers)
                reporter = await add_member(core, network_id, emulator.user("reporter").chat_id)
                process = await spawn_bot(emulator, url, key, tmp)
                try:
                    await wait_until_answering(probe)
                    return await publish_and_observe(core, emulator, network_id, reporter, probe)
                finally:
                    process.kill()
                    await process.wait()
                    _show_errors(tmp / "bot.log")
            finally:
                await db.close()


async def publish_and_observe(
    core: Core, emulator: Emulator, network_id: str, reporter: Member, probe: EmulatedUser
) -> dict[str, str]:
    draft = {
        "draft": "bench",
        "network": network_id,
        "kind": "violent",
        "area": AREA,
        "when": "today",
        "text": TEXT,
        "extras": "done",
        "phone": "+525512345678",
    }
    started = time.monotonic()
    submitted = await submit(core, reporter, draft)
    submit_took = time.monotonic() - started
    if isinstance(submitted, Refused):
        raise SystemExit(f"submit refused: {submitted.reason}")
    print(f"  submitted: {submitted.recipients:,} rows in {submit_took:.2f} s", file=sys.stderr)
    help_delays = await _watch(emulator, probe, submitted.recipients)
    news = _delivered(emulator)
    span = news[-1] - news[0] if len(news) > 1 else float("nan")
    during = [m for m in emulator.sent if news and news[0] <= m.sent_at <= news[-1]]
    return {
        "followers queued": f"{submitted.recipients:,}",
        "submit transaction (fan-out writes)": _seconds(submit_took),
        "delivered": f"{len(news):,} / {submitted.recipients:,}",
        "submit -> first delivered": _seconds(news[0] - started if news else float("nan")),
        "submit -> last delivered": _seconds(news[-1] - started if news else float("nan")),
        "messages/s sustained": f"{len(during) / span:.1f}",
        "busiest second": f"{emulator.peak_rate(1.0)}",
        "429s received": f"{emulator.too_many_requests}",
        "/help reply p50": _seconds(percentile(help_delays, 0.5)),
        "/help reply max": _seconds(max(help_delays, default=float("nan"))),
        "/help asked": f"{len(help_delays)}",
    }


async def _watch(emulator: Emulator, probe: EmulatedUser, expected: int) -> list[float]:
    """Until every follower has the warning (or it is hopeless), asking /help every 5 s
    while it goes out; returns the /help reply delays."""
    delays: list[float] = []
    seen = len(_help_replies(probe))
    asked: float | None = None
    last_ask = 0.0
    started = time.monotonic()
    while time.monotonic() - started < 30 + 3 * expected / 28:
        delivered = len(_delivered(emulator))
        if delivered >= expected:
            break
        replies = _help_replies(probe)
        if asked is not None and len(replies) > seen:
            delays.append(replies[seen] - asked)
            seen, asked = len(replies), None
        if delivered > 0 and asked is None and time.monotonic() - last_ask > PROBE_EVERY:
            last_ask = asked = time.monotonic()
            await probe.send("/help")
        await asyncio.sleep(0.05)
    return delays


def _delivered(emulator: Emulator) -> list[float]:
    """When each copy of the warning was accepted, in order."""
    return [m.sent_at for m in emulator.sent if TEXT in (m.text or "")]


def _show_errors(path: Path) -> None:
    log = path.read_text()
    if "Traceback" in log or "ERROR" in log:
        print(log[-3000:], file=sys.stderr)


# -- /check ---------------------------------------------------------------------------------


def listed_phone(n: int) -> str:
    """The number of warning n: +52 55 1000 0000 + n, made up."""
    return f"+52{5510000000 + n}"


def unlisted_phone(n: int) -> str:
    return f"+52{5520000000 + n}"


def as_typed(e164: str) -> str:
    """As a member in Mexico City types it: '55 1000 0042'."""
    digits = e164.removeprefix("+52")
    return f"{digits[:2]} {digits[2:6]} {digits[6:]}"


async def seed_warnings(core: Core, network_id: str, count: int) -> None:
    """Published warnings with one phone number each, a batch per transaction."""
    now = core.clock.now()
    expires = now + timedelta(days=90)
    for start in range(0, count, WARNING_BATCH):
        async with core.unit() as uow:
            for n in range(start, min(start + WARNING_BATCH, count)):
                phone = listed_phone(n)
                digest = await uow.networks.digest(network_id, "phone", phone)
                body = {
                    "kind": "violent",
                    "area": AREA,
                    "when": "today",
                    "day": now.date().isoformat(),
                    "text": f"{TEXT} ({n})",
                    "phone": phone,
                }
                await uow.warnings.add(network_id, None, PUBLISHED, body, [digest], now, expires)
        done = min(start + WARNING_BATCH, count)
        if done % 10_000 == 0 or done == count:
            print(f"  {done:,} warnings", file=sys.stderr)


async def measure_check(warnings: int, checks: int, admin_url: str | None) -> dict[str, str]:
    key = new_key()
    with tempfile.TemporaryDirectory() as tmp_name:
        async with fresh_database_url(Path(tmp_name), admin_url or "", "companera_bench_") as url:
            db = await open_database(url, key)
            try:
                core = core_from(Settings(), db, SystemClock())
                core.limits = replace(core.limits, checks_per_hour=10**9)
                network_id = await new_network(core)
                member = await add_member(core, network_id, 1_000_001)
                started = time.monotonic()
                await seed_warnings(core, network_id, warnings)
                populated = time.monotonic() - started
                result = await time_checks(core, member, warnings, checks)
                result["database size"] = f"{await database_size(db, url) / 2**20:.1f} MB"
                result["populating took"] = _seconds(populated)
                return result
            finally:
                await db.close()


async def time_checks(core: Core, member: Member, warnings: int, checks: int) -> dict[str, str]:
    rng = random.Random(11)
    asked = [(n % 2 == 0, rng.randrange(warnings)) for n in range(WARM_UP + checks)]
    timings: list[float] = []
    found = {True: 0, False: 0}
    for index, (listed, n) in enumerate(asked):
        typed = as_typed(listed_phone(n) if listed else unlisted_phone(n))
        started = time.perf_counter()
        result = await check_phone(core, member, typed)
        took = time.perf_counter() - started
        if isinstance(result, Refused):
            raise SystemExit(f"check_phone refused: {result.reason}")
        if index >= WARM_UP:
            timings.append(took)
            found[listed] += bool(result)
    listed_asked = sum(listed for listed, _ in asked[WARM_UP:])
    return {
        "checks timed": f"{len(timings)}",
        "p50": _millis(percentile(timings, 0.5)),
        "p99": _millis(percentile(timings, 0.99)),
        "max": _millis(max(timings, default=float("nan"))),
        "listed numbers found": f"{found[True]} / {listed_asked}",
        "unlisted numbers found": f"{found[False]} / {len(timings) - listed_asked}",
    }


# -- the tables -----------------------------------------------------------------------------


def _seconds(value: float) -> str:
    return f"{value:.2f} s"


def _millis(value: float) -> str:
    return f"{value * 1000:.1f} ms"


def print_table(title: str, column: str, result: dict[str, str]) -> None:
    print(f"\n| {title} | {column} |")
    print("|---|---|")
    for metric, value in result.items():
        print(f"| {metric} | {value} |")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=5000, help="followers of the area")
    parser.add_argument("--warnings", type=int, default=100_000, help="active warnings")
    parser.add_argument("--checks", type=int, default=500)
    parser.add_argument("--only", choices=["fanout", "check"])
    parser.add_argument("--database-url", help="a PostgreSQL server's admin database")
    args = parser.parse_args()
    backend = "postgresql" if args.database_url else "sqlite"
    if args.only != "check":
        print(f"fan-out to {args.members:,} followers ...", file=sys.stderr)
        fanout = asyncio.run(measure_fanout(args.members, args.database_url))
        print_table(f"one warning, {args.members:,} followers", f"companera, {backend}", fanout)
        print(
            "\nEmulator limits on (30 msg/s, 1/s per chat). The bot looks at the database "
            "every 5 s when nothing in its process wakes it, which bounds submit -> first."
        )
    if args.only != "fanout":
        print(f"/check among {args.warnings:,} warnings ...", file=sys.stderr)
        check = asyncio.run(measure_check(args.warnings, args.checks, args.database_url))
        title = f"/check, {args.warnings:,} active warnings"
        print_table(title, f"check_phone, {backend}", check)
        print(
            f"\nHalf the numbers listed, half not; {WARM_UP} untimed checks first. "
            "Goal: p99 < 100 ms."
        )


if __name__ == "__main__":
    main()
