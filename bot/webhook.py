"""Webhook mode: the HTTP side of a replica (Starlette, served by uvicorn).

- `POST <path of WEBHOOK_URL>`: an update from Telegram. Refused with 403, before anything
  is read, unless it carries our secret (compared in constant time). Answered 200 only
  after its effects are committed, so that a replica dying half-way makes Telegram send it
  again; answered 503 when the database failed, for the same reason. An update that was
  handled already (a retry) is answered 200 and not handled twice.
- `GET /healthz`: 200 when the database answers and the scheduler loop is alive, else 503.
- `GET /metrics`: Prometheus counters and histograms, nothing personal.

A bug in a handler is answered 200, as in polling mode: the member got a kind error from
the error handler, and a 5xx would make Telegram repeat the same failing update, holding
back every update after it."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import uvicorn
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram import Update

from bot.metrics import Metrics
from bot.telegram.application import BotApplication, UpdateFailed
from storage.database import Database

log = logging.getLogger("companera.webhook")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
AT_ONCE = 8  # updates handled at once by one replica: each holds a database connection


@dataclass
class Webhook:
    application: BotApplication
    db: Database
    secret: str
    path: str
    metrics: Metrics
    scheduler_alive: Callable[[], bool]

    def __post_init__(self) -> None:
        self._at_once = asyncio.Semaphore(AT_ONCE)

    def asgi(self) -> Starlette:
        return Starlette(
            routes=[
                Route(self.path, self.receive, methods=["POST"]),
                Route("/healthz", self.health, methods=["GET"]),
                Route("/metrics", self.expose, methods=["GET"]),
            ]
        )

    async def receive(self, request: Request) -> Response:
        started = time.perf_counter()
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self.secret.encode()):
            self.metrics.updates.labels("forbidden").inc()
            return Response(status_code=403)
        try:
            update = Update.de_json(json.loads(await request.body()), self.application.bot)
        except Exception as error:  # not an update: nothing Telegram would send
            log.warning("webhook.unreadable", extra={"error": type(error).__name__})
            return Response(status_code=400)
        async with self._at_once:
            outcome = await self._handle(update)
        self.metrics.updates.labels(outcome).inc()
        self.metrics.update_seconds.observe(time.perf_counter() - started)
        return Response(status_code=503 if outcome == "failed" else 200)

    async def _handle(self, update: Update) -> str:
        """"handled", "duplicate" (a retry of a committed update), or "failed": the database
        failed under it, nothing of it was kept, and Telegram is asked to send it again."""
        try:
            return await self.application.handle(update)
        except UpdateFailed as failure:
            log.warning(
                "webhook.database_unavailable",
                extra={"error": type(failure.__cause__).__name__},
            )
            return "failed"

    async def health(self, _request: Request) -> Response:
        database = await self._database_answers()
        scheduler = self.scheduler_alive()
        body = {"database": _word(database), "scheduler": _word(scheduler)}
        return JSONResponse(body, status_code=200 if database and scheduler else 503)

    async def expose(self, _request: Request) -> Response:
        with contextlib.suppress(Exception):  # the counters are worth showing without it
            async with asyncio.timeout(2):
                async with self.db.unit_of_work() as uow:
                    self.metrics.outbox_pending.set(await uow.outbox.count())
        return Response(self.metrics.render(), media_type=CONTENT_TYPE_LATEST)

    async def _database_answers(self) -> bool:
        try:
            async with asyncio.timeout(2):
                await self.db.ping()
            return True
        except Exception as error:
            log.warning("healthz.database", extra={"error": type(error).__name__})
            return False


def _word(ok: bool) -> str:
    return "ok" if ok else "failing"


def path_of(url: str) -> str:
    """The path Telegram will POST to: that of WEBHOOK_URL, or "/"."""
    return urlsplit(url).path or "/"


class Server(uvicorn.Server):
    """uvicorn without its own signal handlers: `companera run` stops the whole replica."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def server(app: Starlette, port: int) -> Server:
    config = uvicorn.Config(
        app, host="0.0.0.0", port=port, log_config=None, access_log=False, lifespan="off"
    )
    return Server(config)
