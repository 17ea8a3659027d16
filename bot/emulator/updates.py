"""Updates waiting for the bot: handed out by getUpdates, or POSTed to a webhook."""

from __future__ import annotations

import asyncio
import re
import time

from aiohttp import ClientError, ClientSession, ClientTimeout

from bot.emulator.protocol import ApiError, Json, Params, bad_request
from bot.emulator.state import Signal

CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active;"
    " use deleteWebhook to delete the webhook first"
)
SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
FIRST_RETRY, LAST_RETRY = 0.05, 1.0  # seconds between webhook attempts: short, doubling


class UpdateQueue:
    """The bot's pending updates, in order, with the getUpdates and webhook methods."""

    def __init__(self) -> None:
        self.pending: list[Json] = []
        self.webhook_url: str | None = None
        self.webhook_secret: str | None = None
        self.max_connections = 40
        self._in_flight: dict[int, asyncio.Task[None]] = {}
        self._retry_at: dict[int, tuple[float, float]] = {}  # update_id: (when, delay)
        self.last_error: tuple[int, str] | None = None
        self._next_id = 1
        self._arrived = Signal()
        self._pusher: asyncio.Task[None] | None = None
        self._closed = False

    def push(self, body: Json) -> Json:
        """Queue an update (`{"message": ...}` and the like) with the next update_id."""
        update = {"update_id": self._next_id, **body}
        self._next_id += 1
        self.pending.append(update)
        self._arrived.notify()
        return update

    def confirm(self, offset: int) -> None:
        """Forget updates below `offset`; a negative one keeps only the last -offset."""
        if offset < 0:
            self.pending = self.pending[offset:]
        else:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]

    def open(self) -> None:
        """Serve long polls and the webhook again (after a restart)."""
        self._closed = False
        if self.webhook_url and self._pusher is None:
            self._pusher = asyncio.create_task(self._push_forever())

    async def close(self) -> None:
        """Stop webhook delivery and end every long poll."""
        self._closed = True
        self._arrived.notify()
        await self._stop_pusher()

    async def get_updates(self, params: Params) -> list[Json]:
        """getUpdates: confirm `offset`, then wait up to `timeout` s for something new."""
        if self.webhook_url:
            raise ApiError(409, CONFLICT)
        offset = params.integer("offset")
        if offset:
            self.confirm(offset)
        limit = min(max(params.integer("limit") or 100, 1), 100)
        timeout = max(params.number("timeout") or 0.0, 0.0)
        await self._arrived.wait_until(
            lambda: bool(self.pending) or self._closed or bool(self.webhook_url), timeout
        )
        return [] if self.webhook_url else self.pending[:limit]

    async def set_webhook(self, params: Params) -> bool:
        """setWebhook: from now on, updates are POSTed to `url` (empty: back to polling)."""
        url = params.text("url") or ""
        if not url:
            return await self.delete_webhook(params)
        if not url.startswith(("http://", "https://")):
            raise bad_request("bad webhook: an HTTPS URL must be provided for webhook")
        secret = params.text("secret_token")
        if secret is not None and not SECRET.fullmatch(secret):
            raise bad_request("secret token contains unallowed characters")
        if params.flag("drop_pending_updates"):
            self.pending.clear()
        await self._stop_pusher()
        self.webhook_url, self.webhook_secret = url, secret
        self.max_connections = min(max(params.integer("max_connections") or 40, 1), 100)
        self._pusher = asyncio.create_task(self._push_forever())
        return True

    async def delete_webhook(self, params: Params) -> bool:
        """deleteWebhook: back to getUpdates, optionally dropping what is pending."""
        await self._stop_pusher()
        self.webhook_url = self.webhook_secret = None
        if params.flag("drop_pending_updates"):
            self.pending.clear()
        self._arrived.notify()
        return True

    async def get_webhook_info(self, params: Params) -> Json:
        """getWebhookInfo."""
        info: Json = {
            "url": self.webhook_url or "",
            "has_custom_certificate": False,
            "pending_update_count": len(self.pending),
            "max_connections": self.max_connections,
        }
        if self.webhook_url and self.last_error:
            info["last_error_date"], info["last_error_message"] = self.last_error
        return info

    async def _stop_pusher(self) -> None:
        if self._pusher is not None and not self._pusher.done():
            self._pusher.cancel()
            await asyncio.wait([self._pusher])
        self._pusher = None

    async def _push_forever(self) -> None:
        """POST updates as Telegram does: up to `max_connections` at once, one chat's
        updates one at a time and in order; a refused update is retried with a doubling
        delay, and holds back only the later updates of its own chat."""
        self._in_flight, self._retry_at = {}, {}
        async with ClientSession(timeout=ClientTimeout(total=30)) as http:
            while not self._closed:
                for update in self._deliverable():
                    task = asyncio.create_task(self._deliver(http, update))
                    self._in_flight[update["update_id"]] = task
                    task.add_done_callback(lambda _task: self._arrived.notify())
                await self._arrived.wait_until(self._has_work, self._next_retry_in())
            for task in self._in_flight.values():
                task.cancel()

    def _deliverable(self) -> list[Json]:
        now = time.monotonic()
        room = self.max_connections - len(self._in_flight)
        chosen: list[Json] = []
        waiting_chats: set[object] = set()
        for update in self.pending:
            if room <= 0:
                break
            chat = _chat_of(update)
            if chat in waiting_chats:
                continue  # an earlier update of this chat goes first
            waiting_chats.add(chat)
            update_id = update["update_id"]
            if update_id in self._in_flight or self._retry_at.get(update_id, (0, 0))[0] > now:
                continue
            chosen.append(update)
            room -= 1
        return chosen

    def _has_work(self) -> bool:
        return self._closed or bool(self._deliverable())

    def _next_retry_in(self) -> float | None:
        """How long to wait at most: until the next retry, and while posts are in flight
        (whose failure schedules one) no longer than the first retry's delay."""
        wait = None
        waiting = [when for uid, (when, _) in self._retry_at.items() if uid not in self._in_flight]
        if waiting:
            wait = max(0.001, min(waiting) - time.monotonic())
        if self._in_flight:
            wait = FIRST_RETRY if wait is None else min(wait, FIRST_RETRY)
        return wait

    async def _deliver(self, http: ClientSession, update: Json) -> None:
        update_id = update["update_id"]
        try:
            if await self._post(http, update):
                self._retry_at.pop(update_id, None)
                self.pending = [u for u in self.pending if u["update_id"] != update_id]
            else:
                _, delay = self._retry_at.get(update_id, (0.0, FIRST_RETRY / 2))
                delay = min(delay * 2, LAST_RETRY)
                self._retry_at[update_id] = (time.monotonic() + delay, delay)
        finally:
            self._in_flight.pop(update_id, None)

    async def _post(self, http: ClientSession, update: Json) -> bool:
        """One delivery attempt; True when the webhook took the update."""
        assert self.webhook_url is not None
        headers = {}
        if self.webhook_secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook_secret
        try:
            async with http.post(self.webhook_url, json=update, headers=headers) as answer:
                if 200 <= answer.status < 300:
                    return True
                reason = f"Wrong response from the webhook: {answer.status} {answer.reason}"
        except (ClientError, TimeoutError) as error:
            reason = f"Connection failed: {type(error).__name__}"
        self.last_error = (int(time.time()), reason)
        return False


def _chat_of(update: Json) -> object:
    """Whose update this is: the chat of a message, or the user of anything else."""
    for kind, body in update.items():
        if kind == "update_id" or not isinstance(body, dict):
            continue
        message = body.get("message") if kind == "callback_query" else body
        chat = (message or {}).get("chat") if isinstance(message, dict) else None
        if isinstance(chat, dict) and "id" in chat:
            return chat["id"]
        sender = body.get("from")
        if isinstance(sender, dict) and "id" in sender:
            return sender["id"]
    return update["update_id"]  # nobody's: on its own
