"""Delivery benchmark: a 5,000-message broadcast while 20 alerts fall due, side by side.

Each contender runs in its own process against a fresh emulator (in this process) with
Telegram's limits on: 30 messages/s in all, 1/s per chat with bursts of 3, 429 with
retry_after beyond. A probe member sends /help every 5 s during the broadcast.

- companera: `companera run`; the broadcast is an operator announcement queued in the
  outbox, the alerts come from check-ins whose deadline + grace falls at those moments.
- ptb: python-telegram-bot's AIORateLimiter (max_retries=3), one send task per chat, as
  its documentation suggests; see ptb_contender.py.

Everything is measured at the emulator: messages/s sustained (every message accepted
from the first to the last of the broadcast, divided by that time), 429s, the busiest
second, alert delay (due -> accepted), /help reply delay.

    python -m tests.bench.bench_delivery                      # 5,000 + 20, both
    python -m tests.bench.bench_delivery --messages 600 --alerts 5 --only companera
    python -m tests.bench.bench_delivery --latency 0.15       # a far-away Telegram
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.app import core_from
from bot.config import Settings
from bot.core.announcements import announce
from bot.core.clock import SystemClock
from bot.core.records import CheckIn, new_id
from bot.core.timers import Stage, Status
from bot.emulator import EmulatedUser, Emulator
from storage.crypto import Keyring, new_key
from storage.database import Database, make_engine
from storage.migrate import upgrade

TEXT = "Aviso de prueba: reunión el viernes"
GRACE = 5
START_MARGIN = 8.0  # seconds for the contender to start before the broadcast is counted
PROBE_EVERY = 5.0


@dataclass
class Plan:
    broadcast: list[EmulatedUser]
    alerts: list[tuple[float, EmulatedUser]]  # (due, wall clock) and the contact to alert
    workers: list[EmulatedUser]
    probe: EmulatedUser


def make_plan(emulator: Emulator, messages: int, alerts: int, seed: int) -> Plan:
    rng = random.Random(seed)
    broadcast = [emulator.user(f"peer-{n:05d}") for n in range(messages)]
    start = time.time() + START_MARGIN
    span = 0.8 * messages / 28.0
    dues = sorted(start + rng.uniform(5.0, max(6.0, span)) for _ in range(alerts))
    contacts = [emulator.user(f"contact-{n:02d}") for n in range(alerts)]
    workers = [emulator.user(f"worker-{n:02d}") for n in range(alerts)]
    return Plan(broadcast, list(zip(dues, contacts, strict=True)), workers, emulator.user("probe"))


class Contender:
    name = ""

    async def start(self, emulator: Emulator, plan: Plan, tmp: Path) -> asyncio.subprocess.Process:
        raise NotImplementedError


class PtbContender(Contender):
    name = "ptb AIORateLimiter"

    async def start(self, emulator: Emulator, plan: Plan, tmp: Path) -> asyncio.subprocess.Process:
        path = tmp / "plan.json"
        path.write_text(
            json.dumps(
                {
                    "token": emulator.token,
                    "base_url": emulator.base_url,
                    "text": TEXT,
                    "broadcast": [p.chat_id for p in _everyone(plan)],
                    "alerts": [(due, contact.chat_id) for due, contact in plan.alerts],
                }
            )
        )
        return await _spawn([sys.executable, "-m", "tests.bench.ptb_contender", str(path)], tmp)


class CompaneraContender(Contender):
    name = "companera outbox"

    async def start(self, emulator: Emulator, plan: Plan, tmp: Path) -> asyncio.subprocess.Process:
        key = new_key()
        url = f"sqlite+aiosqlite:///{tmp / 'bench.db'}"
        engine = make_engine(url)
        await upgrade(engine)
        db = Database(engine, Keyring(key))
        await db.open()
        now = datetime.now(UTC)
        async with db.unit_of_work() as uow:
            for person in plan.broadcast:
                await uow.members.add(person.chat_id, "es", "America/Lima", now)
            for worker_user, (due, contact_user) in zip(plan.workers, plan.alerts, strict=True):
                worker = await uow.members.add(worker_user.chat_id, "es", "America/Lima", now)
                contact = await uow.members.add(contact_user.chat_id, "es", "America/Lima", now)
                await uow.contacts.add(worker.id, contact.id, None, now)
                await uow.checkins.add(_due(worker.id, now, datetime.fromtimestamp(due, UTC)))
            await uow.commit()
        queued = await announce(core_from(Settings(), db, SystemClock()), TEXT)
        print(f"  queued {queued:,} announcement rows", file=sys.stderr)
        await db.close()
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": emulator.token,
            "TELEGRAM_API_URL": emulator.base_url,
            "DATABASE_URL": url,
            "COMPANERA_MASTER_KEY": base64.b64encode(key).decode(),
            "CHECKIN_GRACE_SECONDS": str(GRACE),
            "COMPANERA_DATA_DIR": str(tmp),
        }
        return await _spawn([sys.executable, "-m", "bot.cli", "run"], tmp, env)


def _everyone(plan: Plan) -> list[EmulatedUser]:
    """Who gets the broadcast: every member (the alerts' workers and contacts too)."""
    return plan.broadcast + plan.workers + [contact for _, contact in plan.alerts]


def _due(member_id: str, now: datetime, alert_at: datetime) -> CheckIn:
    """Reminded already and past its last call: the next step is the alert."""
    return CheckIn(
        new_id(),
        member_id,
        Status.ACTIVE,
        Stage.LAST_CALL,
        now,
        alert_at - timedelta(seconds=GRACE),
        alert_at,
        details="Hotel Prueba, placa TEST-000",
    )


async def _spawn(
    command: list[str], tmp: Path, env: dict[str, str] | None = None
) -> asyncio.subprocess.Process:
    log = (tmp / "contender.log").open("w")
    return await asyncio.create_subprocess_exec(
        *command, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=log
    )


async def measure(contender: Contender, messages: int, alerts: int, latency: float) -> dict:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        async with Emulator(latency=latency) as emulator:
            plan = make_plan(emulator, messages, alerts, seed=7)
            process = await contender.start(emulator, plan, tmp)
            try:
                return await _observe(emulator, plan, len(_everyone(plan)))
            finally:
                process.kill()
                await process.wait()
                log = (tmp / "contender.log").read_text()
                if "Traceback" in log:
                    print(log[-3000:], file=sys.stderr)


def _names_checkin(text: str | None) -> bool:
    """A reply that names the check-in command, under its Spanish or English name."""
    return any(name in (text or "") for name in ("/cita", "/checkin"))


async def _observe(emulator: Emulator, plan: Plan, broadcast_size: int) -> dict:
    contacts = {contact.chat_id: due for due, contact in plan.alerts}
    help_delays: list[float] = []
    started = time.monotonic()
    last_probe = 0.0
    probe_asked: float | None = None
    probe_seen = 0
    while time.monotonic() - started < 20 + 3 * broadcast_size / 28:
        news = [m for m in emulator.sent if TEXT in (m.text or "")]
        first_alerts = _first_alerts(emulator, contacts)
        if len(news) >= broadcast_size and len(first_alerts) == len(contacts):
            break
        replies = [m for m in plan.probe.inbox() if _names_checkin(m.text)]
        if probe_asked is not None and len(replies) > probe_seen:
            help_delays.append(replies[probe_seen].sent_at - probe_asked)
            probe_seen, probe_asked = len(replies), None
        broadcasting = 0 < len(news) < broadcast_size
        if broadcasting and probe_asked is None and time.monotonic() - last_probe > PROBE_EVERY:
            last_probe = probe_asked = time.monotonic()
            await plan.probe.send("/help")
        await asyncio.sleep(0.05)
    news = [m for m in emulator.sent if TEXT in (m.text or "")]
    first_alerts = _first_alerts(emulator, contacts)
    delays = [max(0.0, sent - contacts[chat]) for chat, sent in first_alerts.items()]
    span = news[-1].sent_at - news[0].sent_at if len(news) > 1 else float("nan")
    during = [m for m in emulator.sent if news[0].sent_at <= m.sent_at <= news[-1].sent_at]
    return {
        "broadcast delivered": f"{len(news):,} / {broadcast_size:,}",
        "messages/s sustained": f"{len(during) / span:.1f}",
        "busiest second": f"{emulator.peak_rate(1.0)}",
        "429s received": f"{emulator.too_many_requests}",
        "alerts delivered": f"{len(delays)} / {len(contacts)}",
        "alert delay p50": _seconds(percentile(delays, 0.5)),
        "alert delay p99": _seconds(percentile(delays, 0.99)),
        "alert delay max": _seconds(max(delays, default=float("nan"))),
        "/help reply p50": _seconds(percentile(help_delays, 0.5)),
        "/help reply max": _seconds(max(help_delays, default=float("nan"))),
        "/help asked": f"{len(help_delays)}",
        "broadcast took": _seconds(span),
    }


def _first_alerts(emulator: Emulator, contacts: dict[int, float]) -> dict[int, float]:
    first: dict[int, float] = {}
    for message in emulator.sent:
        if message.chat_id in contacts and "ALERTA" in (message.text or ""):
            first.setdefault(message.chat_id, message.sent_wall)
    return first


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _seconds(value: float) -> str:
    return f"{value:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--alerts", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.0, help="round trip added, seconds")
    parser.add_argument("--only", choices=["companera", "ptb"])
    args = parser.parse_args()
    contenders: list[Contender] = [CompaneraContender(), PtbContender()]
    if args.only:
        contenders = [c for c in contenders if c.name.startswith(args.only)]
    results = {}
    for contender in contenders:
        print(f"measuring {contender.name} ...", file=sys.stderr)
        results[contender.name] = asyncio.run(
            measure(contender, args.messages, args.alerts, args.latency)
        )
    names = list(results)
    print(f"\n| {args.messages:,} broadcast, {args.alerts} alerts | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for metric in results[names[0]]:
        print(f"| {metric} | " + " | ".join(results[n][metric] for n in names) + " |")
    print(
        f"\nEmulator latency {args.latency} s. Goals for companera: >= 28 msg/s, 0 x 429, "
        "alert p99 < 1.5 s, /help < 1 s."
    )


if __name__ == "__main__":
    main()
