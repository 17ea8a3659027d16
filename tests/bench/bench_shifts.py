"""Shift benchmark (issue 16): N shifts of three, each with one running check-in, and the N
deadlines falling uniformly within one minute.

Each shift has three members with an alias and trusted contacts of their own (`--contacts`),
and one of them has a check-in past its reminder. Everything goes in through the real
repositories and sealing code, a batch of shifts per transaction; then each shift's status
messages are queued by `shifts.refresh_status` and delivered by an outbox sender in this
process, unpaced (the emulator's limits off meanwhile), so that every member has a status
message to be edited. Then `companera run` starts in its own process against the emulator
(in this one), with Telegram's limits on, edits included (`Emulator(limit_edits=True)`).

At each deadline her two partners are alerted (`shifts.deadline_passed`), the three status
messages of her shift are edited, and she gets her last call; at deadline + grace her
contacts are alerted. Measured at the emulator (its wall clock):
- deadline -> her first partner's alert (and her second), p50 / p99 / max;
- deadline + grace -> each contact's alert, p50 / p99 / max;
- beside each, the bound: the same alerts sent alone at the sender's pace (28.5 a second),
  in due order, each the moment it falls due or as soon as the pace allows; nobody can do
  better under Telegram's limit;
- deadline -> her last call (a reminder; it comes after the alerts, before the edits);
- status edits: how many, per minute over the span they took, the busiest minute; how many
  were accepted while an alert that was due waited (alerts first means none, or the few
  whose alert's chat was held by its own per-chat limit), and how many before the last alert;
- the bot's CPU from the first deadline to the last message, per alert and per missed
  deadline; its peak RSS; 429s; the busiest second (sends and edits);
- the setup: seeding, and posting the status messages.

    python -m tests.bench.bench_shifts                                  # 1,000 shifts, SQLite
    python -m tests.bench.bench_shifts --database-url postgresql+asyncpg://postgres@HOST:PORT/postgres
    python -m tests.bench.bench_shifts --shifts 50 --grace 20 --no-record  # a quick look

Each run's figures are appended to tests/bench/results/bench_shifts.jsonl (see
tests/bench/results.py), unless `--no-record`.

`--database-url` names a PostgreSQL server's admin database (as COMPANERA_TEST_DATABASE_URL
does for the tests): the run gets a database of its own there, dropped afterwards.
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
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psutil
from sqlalchemy import select

from bot.app import core_from
from bot.config import Settings
from bot.core import shifts
from bot.core.clock import SystemClock
from bot.core.context import Core
from bot.core.notifications import Priority
from bot.core.notifications.base import from_payload
from bot.core.records import CheckIn, Stage, Status, new_id
from bot.delivery.pacing import Limits
from bot.emulator import Emulator, SentMessage
from bot.telegram.render import render
from storage.crypto import Keyring, new_key
from storage.database import Database, make_engine
from storage.migrate import upgrade
from storage.models import OutboxRow
from tests.bench import results
from tests.support.db import fresh_database_url
from tests.support.replicas import busiest_second

SHIFT_SIZE = 3
SEED_BATCH = 100  # shifts per transaction
LEAD = 25.0  # seconds from starting the bot to the first deadline
WINDOW = 60.0  # the deadlines fall within this many seconds
RECORDED = 2.0  # seconds for the bot to record what the emulator accepted last
PACE = Limits().global_rate  # the sender's messages a second
DETAILS = "Hotel Prueba hab 12, placa TEST-000"


@dataclass(frozen=True)
class Run:
    """What to measure: shifts, contacts per member, the grace, the deadlines' window and
    the lead before the first; where the bot comes from, and the database server."""

    shifts: int = 1000
    contacts: int = 2
    grace: int = 60
    window: float = WINDOW
    lead: float = LEAD
    bot_from: str | None = None
    admin_url: str | None = None
    record: bool = True


@dataclass
class Plan:
    """One shift: her (the one whose check-in runs), her two partners, her contacts; the
    chat ids the emulator knows them by."""

    shift_id: str
    worker_id: str
    worker_chat: int
    partner_chats: list[int]
    contact_chats: list[int]
    deadline: float = 0.0  # wall clock, seconds
    member_ids: list[str] = field(default_factory=list)  # hers first
    contact_ids: list[str] = field(default_factory=list)  # her contacts'


# -- the world ------------------------------------------------------------------------------


async def open_database(url: str, key: bytes) -> Database:
    engine = make_engine(url)
    await upgrade(engine, master_key=key)
    db = Database(engine, Keyring(key))
    await db.open()
    return db


async def seed(core: Core[Database], emulator: Emulator, count: int, contacts: int) -> list[Plan]:
    """`count` shifts of three members, each member with an alias and `contacts` confirmed
    trusted contacts, a batch of shifts per transaction."""
    now = core.clock.now()
    plans: list[Plan] = []
    for start in range(0, count, SEED_BATCH):
        async with core.unit() as work:
            for s in range(start, min(start + SEED_BATCH, count)):
                shift = await work.shifts.add(now, now + shifts.SHIFT_LENGTH)
                chats, ids, her_contacts, her_contact_ids = [], [], [], []
                for k in range(SHIFT_SIZE):
                    user = emulator.user(f"socia-{s:05d}-{k}")
                    member = await work.members.add(user.chat_id, "es", "America/Lima", now)
                    await work.members.save(replace(member, alias=f"Prueba {s:05d}-{k}"))
                    for c in range(contacts):
                        contact_chat = emulator.user(f"contacto-{s:05d}-{k}-{c}").chat_id
                        contact = await work.members.add(contact_chat, "es", "America/Lima", now)
                        await work.contacts.add(member.id, contact.id, None, now)
                        if k == 0:
                            her_contacts.append(contact_chat)
                            her_contact_ids.append(contact.id)
                    # joined one after the other: the order of the status lines is stable
                    await work.shifts.join(shift.id, member.id, now + timedelta(microseconds=k))
                    chats.append(user.chat_id)
                    ids.append(member.id)
                plans.append(
                    Plan(
                        shift.id,
                        ids[0],
                        chats[0],
                        chats[1:],
                        her_contacts,
                        0.0,
                        ids,
                        her_contact_ids,
                    )
                )
        print(f"  {len(plans):,} shifts", file=sys.stderr)
    return plans


async def post_statuses(db: Database, core: Core[Database], emulator: Emulator) -> int:
    """Each member's status message of her shift, queued as the shift does
    (`shifts.refresh_status`), rendered as the sender renders it, and put in her chat at
    the emulator directly (the sender would take minutes at Telegram's pace): from now on a
    change edits it. Returns how many were posted."""
    posted = 0
    while True:
        async with db.unit_of_work() as uow:
            now = core.clock.now()
            items = await uow.outbox.peek(now, 500)
            for item in items:
                member = await uow.members.get(item.recipient_id)
                assert member is not None
                text = render(from_payload(item.recipient_id, item.payload), member).text
                chat = emulator.chats
                sent = SentMessage(member.chat_id, chat.next_message_id(member.chat_id), text)
                chat.add_bot_message(sent)
                await uow.outbox.mark_sent(item.id, now, sent.message_id)
            await uow.commit()
        posted += len(items)
        if not items:
            return posted


async def queue_statuses(core: Core[Database], plans: list[Plan]) -> None:
    for start in range(0, len(plans), SEED_BATCH):
        async with core.unit() as work:
            for plan in plans[start : start + SEED_BATCH]:
                await shifts.refresh_status(work, plan.shift_id)


async def start_checkins(
    core: Core[Database], plans: list[Plan], first: datetime, window: float
) -> None:
    """One running check-in per shift, reminded already: its next step is her deadline,
    uniformly within `window` seconds from `first`."""
    rng = random.Random(16)
    now = core.clock.now()
    for start in range(0, len(plans), SEED_BATCH * 5):
        async with core.unit() as work:
            for plan in plans[start : start + SEED_BATCH * 5]:
                deadline = first + timedelta(seconds=rng.uniform(0, window))
                plan.deadline = deadline.timestamp()
                await work.checkins.add(
                    CheckIn(
                        new_id(),
                        plan.worker_id,
                        Status.ACTIVE,
                        Stage.REMINDED,
                        now - timedelta(hours=1),
                        deadline,
                        deadline,
                        details=DETAILS,
                    )
                )


async def spawn_bot(
    emulator: Emulator, url: str, key: bytes, tmp: Path, run: Run
) -> asyncio.subprocess.Process:
    """`companera run`, from this tree or from `run.bot_from` (another checkout)."""
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": emulator.token,
        "TELEGRAM_API_URL": emulator.base_url,
        "DATABASE_URL": url,
        "COMPANERA_MASTER_KEY": base64.b64encode(key).decode(),
        "CHECKIN_GRACE_SECONDS": str(run.grace),
        "COMPANERA_DATA_DIR": str(tmp),
    }
    if run.bot_from:
        env["PYTHONPATH"] = run.bot_from
    with (tmp / "bot.log").open("w") as log:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            "run",
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=log,
            cwd=run.bot_from or None,
        )


def show_errors(path: Path) -> None:
    text = path.read_text()
    if "Traceback" in text or "ERROR" in text:
        print(text[-3000:], file=sys.stderr)


# -- what the emulator saw ------------------------------------------------------------------


def first_sends(emulator: Emulator, since: float) -> dict[int, float]:
    """When each chat's first message since `since` was accepted (wall clock)."""
    first: dict[int, float] = {}
    for message in emulator.sent:
        if message.sent_wall >= since:
            first.setdefault(message.chat_id, message.sent_wall)
    return first


@dataclass
class Seen:
    """The alerts, last calls and edits the emulator accepted since the bot started."""

    partner_first: list[float]  # per shift: deadline -> her first partner's alert
    partner_second: list[float]
    contacts: list[float]  # per contact: deadline + grace -> her alert
    last_calls: list[float]
    alert_times: list[tuple[float, float]]  # (due, accepted) of every alert
    edit_times: list[float]
    first: dict[int, float] = field(default_factory=dict)  # chat -> its first message

    @property
    def alerts(self) -> int:
        return len(self.alert_times)


def seen(emulator: Emulator, plans: list[Plan], grace: int, since: float) -> Seen:
    first = first_sends(emulator, since)
    edits = sorted(e.wall for e in emulator.edits if e.wall >= since)
    result = Seen([], [], [], [], [], edits, first)
    for plan in plans:
        partners = sorted(first[c] for c in plan.partner_chats if c in first)
        for at in partners:
            result.alert_times.append((plan.deadline, at))
        if partners:
            result.partner_first.append(max(0.0, partners[0] - plan.deadline))
        if len(partners) == len(plan.partner_chats):
            result.partner_second.append(max(0.0, partners[-1] - plan.deadline))
        for chat in plan.contact_chats:
            if chat in first:
                result.contacts.append(max(0.0, first[chat] - plan.deadline - grace))
                result.alert_times.append((plan.deadline + grace, first[chat]))
        if plan.worker_chat in first:
            result.last_calls.append(max(0.0, first[plan.worker_chat] - plan.deadline))
    return result


def complete(found: Seen, plans: list[Plan], contacts: int) -> bool:
    return (
        len(found.partner_second) == len(plans)
        and len(found.contacts) == len(plans) * contacts
        and len(found.last_calls) == len(plans)
        and len(found.edit_times) >= SHIFT_SIZE * len(plans)
    )


# -- figures --------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bound_delays(due: list[float], rate: float = PACE) -> list[float]:
    """The delays of the best any sender can do at `rate` messages a second: each message
    sent the moment it falls due, or as soon as the one before it has had its 1/rate."""
    delays, free_at = [], float("-inf")
    for at in sorted(due):
        sent = max(at, free_at)
        delays.append(sent - at)
        free_at = sent + 1.0 / rate
    return delays


@dataclass
class Queue:
    """When the scheduler wrote each member's first alert into the outbox (the bot's clock),
    by recipient: in the transaction of her deadline's step, which the sender sees only
    once it commits, with the other check-ins that fell due in the same pass (up to 200)."""

    written: dict[str, float] = field(default_factory=dict)


async def read_queue(db: Database) -> Queue:
    async with db.engine.connect() as connection:
        rows = (
            await connection.execute(
                select(OutboxRow.recipient_id, OutboxRow.created_at).where(
                    OutboxRow.priority == Priority.ALERT
                )
            )
        ).all()
    queue = Queue()
    for recipient_id, created in rows:
        at = _seconds_of(created)
        queue.written[recipient_id] = min(at, queue.written.get(recipient_id, at))
    return queue


def _seconds_of(value: Any) -> float:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return float(value.timestamp())


def delays_text(values: list[float]) -> str:
    return (
        f"{percentile(values, 0.5):.2f} / {percentile(values, 0.99):.2f} / "
        f"{max(values, default=float('nan')):.2f} s"
    )


def figures(
    found: Seen,
    queue: Queue,
    plans: list[Plan],
    grace: int,
    cpu: float,
    rss: int,
    emulator: Emulator,
) -> tuple[dict[str, str], dict[str, float]]:
    """The table's rows, and the figures kept (tests/bench/results/bench_shifts.jsonl)."""
    partner_due = [p.deadline for p in plans for _ in p.partner_chats]
    contact_due = [p.deadline + grace for p in plans for _ in p.contact_chats]
    alone = bound_delays(partner_due + contact_due)
    bound = dict(zip(sorted(partner_due + contact_due), alone, strict=True))
    partner_bound = [bound[d] for d in partner_due]
    contact_bound = [bound[d] for d in contact_due]
    edits = found.edit_times
    span = (edits[-1] - edits[0]) if len(edits) > 1 else float("nan")
    last_alert = max((accepted for _, accepted in found.alert_times), default=float("nan"))
    times = [m.sent_wall for m in emulator.sent if m.sent_wall >= min(p.deadline for p in plans)]
    written = queue.written
    partner_queued = [
        written[m] - p.deadline for p in plans for m in p.member_ids[1:] if m in written
    ]
    contact_queued = [
        written[c] - p.deadline - grace for p in plans for c in p.contact_ids if c in written
    ]
    last_partner = max(
        (at for p in plans for c in p.partner_chats if (at := found.first.get(c))),
        default=float("nan"),
    )
    before_last = sum(1 for e in edits if e < last_alert)
    kept = {
        "first partner p50 s": percentile(found.partner_first, 0.5),
        "first partner p99 s": percentile(found.partner_first, 0.99),
        "partners bound p99 s": percentile(partner_bound, 0.99),
        "partners queued p99 s": percentile(partner_queued, 0.99),
        "contacts p50 s": percentile(found.contacts, 0.5),
        "contacts p99 s": percentile(found.contacts, 0.99),
        "contacts bound p99 s": percentile(contact_bound, 0.99),
        "contacts queued p99 s": percentile(contact_queued, 0.99),
        "last call p99 s": percentile(found.last_calls, 0.99),
        "status edits per minute": len(edits) * 60 / span,
        "edits before the last partner alert": sum(1 for e in edits if e < last_partner),
        "edits before the last alert": before_last,
        "429s": emulator.too_many_requests,
        "CPU ms per alert": cpu * 1000 / max(found.alerts, 1),
        "peak RSS MB": rss / 2**20,
    }
    return {
        "shifts (deadlines)": f"{len(plans):,}",
        "first partner's alert, p50 / p99 / max": delays_text(found.partner_first),
        "second partner's alert, p50 / p99 / max": delays_text(found.partner_second),
        "partners' alerts alone at the pace (bound), p50 / p99 / max": delays_text(partner_bound),
        "contacts' alerts (from deadline + grace), p50 / p99 / max": delays_text(found.contacts),
        "contacts' alerts alone at the pace (bound), p50 / p99 / max": delays_text(contact_bound),
        "partners' alerts written (the scheduler's step), p50 / p99 / max": delays_text(
            partner_queued
        ),
        "contacts' alerts written (the scheduler's step), p50 / p99 / max": delays_text(
            contact_queued
        ),
        "alerts": f"{found.alerts:,}",
        "her last call, p50 / p99 / max": delays_text(found.last_calls),
        "status edits": f"{len(edits):,}",
        "status edits per minute (over their span)": f"{len(edits) * 60 / span:.0f}",
        "busiest minute of status edits": f"{busiest_second(edits, 60.0):,}",
        "status edits before the last partner's alert": (
            f"{sum(1 for e in edits if e < last_partner):,}"
        ),
        "status edits before the last alert": f"{before_last:,}",
        "busiest second (sends and edits)": f"{busiest_second(times + edits)}",
        "429s": f"{emulator.too_many_requests}",
        "CPU per alert": f"{cpu * 1000 / max(found.alerts, 1):.1f} ms",
        "CPU per missed deadline (all its messages)": f"{cpu * 1000 / len(plans):.1f} ms",
        "peak RSS": f"{rss / 2**20:.0f} MB",
    }, kept


# -- the run --------------------------------------------------------------------------------


async def measure(run: Run) -> tuple[dict[str, str], dict[str, float]]:
    key = new_key()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        async with (
            fresh_database_url(tmp, run.admin_url or "", "companera_bench_") as url,
            Emulator(limit_edits=True) as emulator,
        ):
            db = await open_database(url, key)
            try:
                core = core_from(Settings(), db, SystemClock())
                started = time.monotonic()
                plans = await seed(core, emulator, run.shifts, run.contacts)
                seeded = time.monotonic() - started
                await queue_statuses(core, plans)
                posted = await post_statuses(db, core, emulator)
                statuses = time.monotonic() - started - seeded
                first = datetime.now(UTC) + timedelta(seconds=run.lead)
                await start_checkins(core, plans, first, run.window)
            finally:
                await db.close()
            print(
                f"  seeded in {seeded:.1f} s; {posted:,} status messages in {statuses:.1f} s",
                file=sys.stderr,
            )
            since = time.time()
            process = await spawn_bot(emulator, url, key, tmp, run)
            try:
                found, cpu, rss = await observe(emulator, process.pid, plans, run, since)
                await asyncio.sleep(RECORDED)  # the last outcomes written to the outbox
            finally:
                process.kill()
                await process.wait()
                show_errors(tmp / "bot.log")
            db = await open_database(url, key)
            try:
                queue = await read_queue(db)
            finally:
                await db.close()
            result, kept = figures(found, queue, plans, run.grace, cpu, rss, emulator)
            result["setup: seeding"] = f"{seeded:.1f} s"
            result["setup: posting the status messages"] = f"{statuses:.1f} s ({posted:,})"
            kept["setup s"] = seeded + statuses
            return result, kept


async def observe(
    emulator: Emulator, pid: int, plans: list[Plan], run: Run, since: float
) -> tuple[Seen, float, int]:
    """Until every alert, last call and edit arrived (or it is hopeless): what the emulator
    saw, the bot's CPU seconds from the first deadline, its peak RSS."""
    bot = psutil.Process(pid)
    grace, contacts = run.grace, run.contacts
    first_deadline = min(p.deadline for p in plans)
    messages = len(plans) * (2 + contacts + 2 + SHIFT_SIZE)
    give_up = first_deadline + run.window + grace + 120 + 2 * messages / PACE
    peak, cpu_at_first = 0, None
    while time.time() < give_up:
        peak = max(peak, bot.memory_info().rss)
        if cpu_at_first is None and time.time() >= first_deadline:
            cpu_at_first = sum(bot.cpu_times()[:2])
        if complete(seen(emulator, plans, grace, since), plans, contacts):
            break
        await asyncio.sleep(0.25)
    cpu = sum(bot.cpu_times()[:2]) - (cpu_at_first or 0.0)
    peak = max(peak, bot.memory_info().rss)
    found = seen(emulator, plans, grace, since)
    if not complete(found, plans, contacts):
        print("  warning: not everything arrived before the bench gave up", file=sys.stderr)
    if found.partner_first and min(found.partner_first) > 5:
        print("  warning: the bot came up late; delays include its start", file=sys.stderr)
    return found, cpu, peak


def print_table(title: str, column: str, result: dict[str, Any]) -> None:
    print(f"\n| {title} | {column} |")
    print("|---|---|")
    for metric, value in result.items():
        print(f"| {metric} | {value} |")


def parse(argv: list[str] | None = None) -> Run:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shifts", type=int, default=Run.shifts)
    parser.add_argument("--contacts", type=int, default=Run.contacts, help="per member")
    parser.add_argument(
        "--grace",
        type=int,
        default=Run.grace,
        help="seconds from a deadline to her contacts' alert (CHECKIN_GRACE_SECONDS); the "
        "default lets the contacts' alerts fall while the edits of the first deadlines wait",
    )
    parser.add_argument("--window", type=float, default=WINDOW, help="the deadlines' spread, s")
    parser.add_argument("--lead", type=float, default=LEAD, help="bot start -> first deadline, s")
    parser.add_argument(
        "--bot-from",
        help="run the bot from another checkout (e.g. `git archive` of the commit before a "
        "change), for a back-to-back comparison; the emulator and the seeding stay this tree's",
    )
    parser.add_argument("--database-url", help="a PostgreSQL server's admin database")
    parser.add_argument("--no-record", action="store_true", help="append no figures")
    args = parser.parse_args(argv)
    return Run(
        args.shifts,
        args.contacts,
        args.grace,
        args.window,
        args.lead,
        args.bot_from,
        args.database_url,
        not args.no_record,
    )


def main(argv: list[str] | None = None) -> dict[str, str]:
    run = parse(argv)
    backend = "postgresql" if run.admin_url else "sqlite"
    print(
        f"{run.shifts:,} shifts of {SHIFT_SIZE}, deadlines within {run.window:.0f} s ...",
        file=sys.stderr,
    )
    result, kept = asyncio.run(measure(run))
    print_table(
        f"{run.shifts:,} shifts, deadlines within {run.window:.0f} s, grace {run.grace} s",
        f"companera, {backend}",
        result,
    )
    print(
        f"\nDelays at the emulator (its limits on: 30 messages/s, 1/s per chat, edits "
        f"counted); {run.contacts} contacts per member; load {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} cores."
    )
    if run.record:
        case = f"{run.shifts:,} shifts, {run.contacts} contacts each, grace {run.grace} s"
        results.record("bench_shifts", kept, case=case, database=backend)
    return result


if __name__ == "__main__":
    main()
