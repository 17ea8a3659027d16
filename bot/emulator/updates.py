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
            "max_connections": 40,
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
        """POST the oldest update until the webhook answers 2xx, then the next one."""
        delay = FIRST_RETRY
        async with ClientSession(timeout=ClientTimeout(total=10)) as http:
            while not self._closed:
                await self._arrived.wait_until(lambda: bool(self.pending) or self._closed, None)
                if self._closed:
                    return
                update = self.pending[0]
                if await self._post(http, update):
                    if self.pending and self.pending[0] is update:
                        self.pending.pop(0)
                    delay = FIRST_RETRY
                else:
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, LAST_RETRY)

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
