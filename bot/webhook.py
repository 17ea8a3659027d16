"""Webhook mode: the HTTP side of a replica (Starlette, served by uvicorn), on two listeners.

On HOST:PORT, the only one a proxy passes on, nothing but updates:
- `POST <path of WEBHOOK_URL>`: an update from Telegram. Refused with 403, before anything
  is read, unless it carries our secret (compared in constant time); with 413 once its body
  is over 1 MB, without reading the rest; with 400 when it is not an update or carries a
  number outside signed 64 bits (nothing Telegram sends, and nothing the database could
  store). Answered 200 only after its effects are committed, so that a replica dying
  half-way makes Telegram send it again; answered 503 when the database failed, for the
  same reason. An update that was handled already (a retry) is answered 200 and not handled
  twice.

On METRICS_HOST:METRICS_PORT (loopback by default; METRICS_PORT=0: not served):
- `GET /healthz`: 200 when the database answers and the scheduler loop is alive, else 503.
- `GET /metrics`: Prometheus counters and histograms, nothing personal; they show when
  alerts fire, which is why they are not on the port Telegram reaches.

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
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram import Update

from bot.metrics import Metrics
from bot.telegram.application import BotApplication, UpdateFailed
from storage.database import Database

log = logging.getLogger("companera.webhook")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
AT_ONCE = 8  # updates handled at once by one replica: each holds a database connection
MAX_BODY = 1_000_000  # bytes; an update is a few kilobytes (Caddy has the same limit)
INT64 = 2**63  # what a BIGINT holds: -INT64 <= n < INT64
# Fields Telegram always sends as integers, and objects (users, chats) whose "id" is one; an
# "id" elsewhere may be a string (a button press's). The bot reads these as numbers.
_INTEGERS = frozenset(
    {"update_id", "message_id", "date", "edit_date", "chat_id", "user_id", "message_thread_id"}
)
_WITH_INTEGER_ID = frozenset(
    {"from", "chat", "sender_chat", "user", "forward_from", "forward_from_chat", "via_bot"}
)
_NUMBERS = frozenset({"latitude", "longitude", "horizontal_accuracy", "live_period", "heading"})


class Refused(Exception):
    """A request answered with `status` before it is handled."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


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
        """What HOST:PORT serves: updates, and 404 for everything else."""
        return Starlette(routes=[Route(self.path, self.receive, methods=["POST"])])

    def monitoring(self) -> Starlette:
        """What METRICS_HOST:METRICS_PORT serves."""
        return Starlette(
            routes=[
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
            update = self._update(await _body(request))
        except Refused as refusal:
            log.warning("webhook.refused", extra={"status": refusal.status})
            return Response(status_code=refusal.status)
        async with self._at_once:
            outcome = await self._handle(update)
        self.metrics.updates.labels(outcome).inc()
        self.metrics.update_seconds.observe(time.perf_counter() - started)
        return Response(status_code=503 if outcome == "failed" else 200)

    def _update(self, body: bytes) -> Update:
        """The update in a body, or Refused(400): not JSON, not an update, or a number no
        update carries (Telegram's ids all fit in 64 bits; a BIGINT column holds no more)."""
        try:
            data = json.loads(body)
        except ValueError:
            raise Refused(400) from None
        if not isinstance(data, dict) or "update_id" not in data or not _plausible(data):
            raise Refused(400)
        try:
            return Update.de_json(data, self.application.bot)
        except Exception:  # not an update: nothing Telegram would send
            raise Refused(400) from None

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


async def _body(request: Request) -> bytes:
    """The request's body, or Refused(413) as soon as it is known to be over MAX_BODY: by
    its Content-Length before reading anything, or while a chunked body arrives."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > MAX_BODY:
        raise Refused(413)
    body = bytearray()
    try:
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                raise Refused(413)
    except ClientDisconnect:
        raise Refused(400) from None  # nobody is left to read the answer
    return bytes(body)


def _integer(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _plausible(update: dict[str, object]) -> bool:
    """Whether every integer in a parsed update fits in signed 64 bits, and the ids, dates
    and coordinates the bot reads are numbers: what Telegram sends, and what the database
    and the handlers can take."""
    pending: list[tuple[str, object]] = [("", update)]
    while pending:
        key, item = pending.pop()
        if key in _INTEGERS and not _integer(item):
            return False
        if key in _NUMBERS and not (_integer(item) or isinstance(item, float)):
            return False
        if key in _WITH_INTEGER_ID and not (isinstance(item, dict) and _integer(item.get("id"))):
            return False
        if isinstance(item, dict):
            pending.extend(item.items())
        elif isinstance(item, list):
            pending.extend((key, element) for element in item)
        elif isinstance(item, int) and not -INT64 <= item < INT64:  # bools are in range
            return False
    return True


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


def server(app: Starlette, host: str, port: int) -> Server:
    config = uvicorn.Config(
        app, host=host, port=port, log_config=None, access_log=False, lifespan="off"
    )
    return Server(config)
