"""The running bot: migrations, keys, the Telegram application, the scheduler, the outbox."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta

from starlette.applications import Starlette
from telegram import Bot, Update
from telegram.error import TelegramError

from bot import logs
from bot.config import Settings
from bot.core.clock import Clock, SystemClock
from bot.core.context import Core, Limits
from bot.core.housekeeping import Housekeeping
from bot.core.scheduler import MAX_SLEEP, Scheduler
from bot.core.timers import Policy
from bot.delivery.outbox import OutboxSender, SenderSettings
from bot.metrics import Metrics
from bot.polling import Poller
from bot.telegram.application import UpdateFailed, build_application, publish_commands
from bot.webhook import Server, Webhook, path_of, server
from storage.crypto import Keyring
from storage.database import Database, make_engine
from storage.migrate import upgrade
from storage.wakeups import OUTBOX, TIMERS, Listener

log = logging.getLogger("companera")
STOP_GRACE_SECONDS = 10.0
BACKLOG_WAIT_SECONDS = 30.0


def policy_from(settings: Settings) -> Policy:
    """The timer's timings, as configured (bot/config.py holds their defaults, only there)."""
    return Policy(
        grace=timedelta(seconds=settings.checkin_grace_seconds),
        reminder_lead=timedelta(seconds=settings.reminder_lead_seconds),
        alert_repeat_every=timedelta(seconds=settings.alert_repeat_seconds),
        alert_repeats=settings.alert_repeats,
        details_ttl_after_alert=timedelta(seconds=settings.details_ttl_after_alert_seconds),
        row_ttl=timedelta(seconds=settings.checkin_row_ttl_seconds),
    )


def limits_from(settings: Settings) -> Limits:
    """What members may do and how long things are kept, as configured."""
    return Limits(
        max_contacts=settings.max_contacts,
        invite_ttl_seconds=settings.invite_ttl_seconds,
        default_timezone=settings.default_timezone,
        network_pass_ttl_seconds=settings.network_pass_ttl_seconds,
        checks_per_hour=settings.checks_per_hour,
        warnings_per_day=settings.warnings_per_day,
        warnings_burst=settings.warnings_burst,
        warnings_burst_seconds=settings.warnings_burst_seconds,
        member_idle_days=settings.member_idle_days,
        idle_notice_days=settings.member_idle_notice_days,
        alert_advice=settings.alerts,
    )


def sender_settings_from(settings: Settings, tuning: SenderSettings) -> SenderSettings:
    """The sender's tuning (its pace, batches, backoff) with the timings these settings
    configure."""
    return replace(
        tuning,
        give_up_after=timedelta(seconds=settings.delivery_give_up_seconds),
        sent_ttl=timedelta(seconds=settings.outbox_sent_ttl_seconds),
        failed_ttl=timedelta(seconds=settings.outbox_failed_ttl_seconds),
        lease=timedelta(seconds=settings.outbox_lease_seconds),
    )


def core_from(settings: Settings, db: Database, clock: Clock) -> Core[Database]:
    """The core with the rules and limits these settings configure."""
    return Core(db, clock, policy_from(settings), limits_from(settings))


async def open_database(settings: Settings, master_key: bytes) -> Database:
    """Migrate to the newest schema and open it with the master key."""
    if settings.sqlalchemy_url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.sqlalchemy_url)
    await upgrade(engine, master_key=master_key)
    db = Database(engine, Keyring(master_key))
    await db.open()
    return db


async def patiently(action: Callable[[], Awaitable[object]], event: str) -> None:
    """Call a Telegram action until it succeeds, backing off up to 10 s between tries."""
    for attempt in itertools.count():
        try:
            await action()
            return
        except TelegramError:
            delay = min(10.0, 0.5 * 2**attempt)
            log.warning(event, extra={"seconds": delay})
            await asyncio.sleep(delay)


class Companera:
    """One process of the bot: polling Telegram (or the emulator), or, with WEBHOOK_URL, a
    replica in webhook mode, one of several on the same PostgreSQL if need be."""

    def __init__(
        self,
        settings: Settings,
        master_key: bytes,
        clock: Clock | None = None,
        poll_timeout: int = 10,
        delivery: SenderSettings | None = None,
    ) -> None:
        self.settings = settings
        self._master_key = master_key
        self._clock = clock or SystemClock()
        self._poll_timeout = poll_timeout
        self._delivery = sender_settings_from(settings, delivery or SenderSettings())
        self._tasks: list[asyncio.Task[None]] = []
        self._stop_polling = asyncio.Event()
        self._polling: asyncio.Task[None] | None = None
        self.metrics = Metrics()
        self.webhook_mode = bool(settings.webhook_url)
        # The same name after a restart, so that this replica takes back its own claims.
        self.replica = f"{socket.gethostname()[:40]}:{settings.port}"
        self._servers: list[tuple[Server, asyncio.Task[None]]] = []

    async def start(self) -> None:
        logs.quiet_libraries()
        settings = self.settings
        self.db = await open_database(settings, self._master_key)
        self.core = core_from(settings, self.db, self._clock)
        self.application = build_application(
            settings.telegram_bot_token or "", settings.telegram_api_url, self.core
        )
        self.application.bot_data["resources"] = settings.resources
        # Started while Telegram is unreachable: wait for it. Timers wait too, so that what
        # she sent meanwhile is read first; nothing could be delivered before anyway.
        await patiently(self.application.initialize, "startup.telegram_unreachable")
        await publish_commands(self.application)
        await self.application.start()
        await self._release_claims()
        if self.webhook_mode:
            # Replies go out at once; timers wait for what queued at Telegram meanwhile.
            self._start_sending()
            await self._start_webhook()
        else:
            await self._start_polling()
            self._start_sending()
        self._start_scheduler()
        log.info("started", extra={"mode": "webhook" if self.webhook_mode else "polling"})

    async def _start_polling(self) -> None:
        """Handle what arrived while we were down before any overdue timer fires, so that a
        /safe sent on time counts as on time; then poll. Nothing is dropped, and nothing is
        acknowledged before it is committed."""
        self.poller = Poller(
            self.application.bot, self.application.handle, self._poll_timeout, UpdateFailed
        )
        bot = self.application.bot
        await patiently(
            lambda: bot.delete_webhook(drop_pending_updates=False), "startup.catch_up_retry"
        )
        await patiently(self.poller.catch_up, "startup.catch_up_retry")
        self._polling = asyncio.create_task(
            self.poller.run(self._stop_polling), name="polling"
        )

    async def _start_webhook(self) -> None:
        """Listen, tell Telegram where, and let what waited at Telegram arrive before any
        overdue timer fires (as polling does with its catch-up)."""
        settings = self.settings
        assert settings.webhook_url and settings.webhook_secret
        self.webhook = Webhook(
            self.application,
            self.db,
            settings.webhook_secret,
            path_of(settings.webhook_url),
            self.metrics,
            self.scheduler_alive,
        )
        await self._serve(self.webhook.asgi(), settings.host, settings.port, "webhook")
        if settings.metrics_port:
            monitoring = self.webhook.monitoring()
            await self._serve(monitoring, settings.metrics_host, settings.metrics_port, "metrics")
        bot = self.application.bot
        await patiently(
            lambda: bot.set_webhook(
                settings.webhook_url or "",
                secret_token=settings.webhook_secret,
                allowed_updates=Update.ALL_TYPES,
                drop_pending_updates=False,
                max_connections=40,
            ),
            "startup.set_webhook_retry",
        )
        await self._wait_for_backlog(bot)

    async def _serve(self, app: Starlette, host: str, port: int, name: str) -> None:
        listener = server(app, host, port)
        serving = asyncio.create_task(listener.serve(), name=name)
        self._servers.append((listener, serving))
        while not listener.started:
            if serving.done():
                serving.result()  # the port is taken, say: fail the start
                raise RuntimeError(f"the {name} server stopped")
            await asyncio.sleep(0.02)

    def listening(self) -> set[tuple[str, int]]:
        """The (address, port) of every socket the webhook mode listens on."""
        return {
            sock.getsockname()[:2]
            for listener, _ in self._servers
            for served in listener.servers
            for sock in served.sockets
        }

    async def _wait_for_backlog(self, bot: Bot) -> None:
        deadline = time.monotonic() + BACKLOG_WAIT_SECONDS
        while time.monotonic() < deadline:
            try:
                info = await bot.get_webhook_info()
            except TelegramError:
                info = None
            if info is not None and info.pending_update_count == 0:
                return
            await asyncio.sleep(0.2)
        log.warning("startup.backlog_not_drained")

    @property
    def _among_replicas(self) -> bool:
        return self.db.is_postgres and self.webhook_mode

    async def _release_claims(self) -> None:
        """Give back the outbox rows this process held before a restart. Polling means one
        process (Telegram allows one poller), SQLite too: every claim is ours. Among
        replicas, only those under our own name."""
        async with self.db.unit_of_work() as uow:
            await uow.outbox.release(self.replica if self._among_replicas else None)
            await uow.commit()

    def _start_scheduler(self) -> None:
        self.scheduler = Scheduler(self.core, self.metrics.scheduler_lag.observe)
        self._tasks.append(asyncio.create_task(self.scheduler.run(), name="scheduler"))

    def _start_sending(self) -> None:
        """The sender and housekeeping; on PostgreSQL, the wake-ups from other replicas."""
        shared = self._among_replicas
        delivery = replace(self._delivery, replica=self.replica, shared_pace=shared)
        self.sender = OutboxSender(self.core, self.application.bot, delivery, self.metrics)
        self._tasks = [
            asyncio.create_task(self.sender.run(), name="outbox"),
            asyncio.create_task(Housekeeping(self.core).run(), name="housekeeping"),
        ]
        if self.db.is_postgres:
            listener = Listener(
                self.db.engine.url,
                {TIMERS: self.core.timers_changed.set, OUTBOX: self.core.outbox_changed.set},
            )
            self._tasks.append(
                asyncio.create_task(listener.run(self.core.stopping), name="wakeups")
            )

    async def broken(self) -> None:
        """Returns when a loop (or the webhook server) has ended on its own: the replica is
        no longer whole and should be restarted rather than limp on."""
        serving = [task for _, task in self._servers]
        tasks = [*self._tasks, *serving, *(t for t in (self._polling,) if t)]
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        log.error("loop.ended", extra={"loops": ",".join(t.get_name() for t in done)})

    def scheduler_alive(self) -> bool:
        """For /healthz: the loop runs and has passed within twice its longest sleep."""
        task = next((t for t in self._tasks if t.get_name() == "scheduler"), None)
        if task is None or task.done():
            return False
        return time.monotonic() - self.scheduler.alive_at < 2 * MAX_SLEEP.total_seconds() + 30

    async def stop(self) -> None:
        """Stop taking updates, let the loops finish their transaction, then close."""
        application = self.application
        self._stop_polling.set()
        if self._polling is not None:
            if not self.poller.handling:  # waiting on a long poll: nothing in hand
                self._polling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._polling  # a batch in hand is handled and committed first
        for listener, _ in self._servers:
            listener.should_exit = True  # in-flight updates finish; new ones go elsewhere
        for _, serving in self._servers:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(serving, STOP_GRACE_SECONDS)
        self.core.stop()
        if self._tasks:
            _, late = await asyncio.wait(self._tasks, timeout=STOP_GRACE_SECONDS)
            for task in late:
                log.warning("stop.late %s", task.get_name())
                task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if application.running:
            await application.stop()
        await application.shutdown()
        await self.db.close()
        log.info("stopped")
