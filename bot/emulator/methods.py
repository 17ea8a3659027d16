"""The Bot API methods the emulator implements, with Telegram's names, fields and errors."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Any

from aiohttp import ClientError, ClientSession, ClientTimeout

from bot.emulator.state import SentMessage

if TYPE_CHECKING:
    from bot.emulator.server import Emulator

Params = dict[str, Any]
MAX_TEXT = 4096


class ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: Params | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters


class BotApi:
    """One coroutine per Bot API method, working on the emulator's state."""

    def __init__(self, emulator: Emulator) -> None:
        self.emu = emulator

    async def _get_me(self, params: Params) -> Params:
        return {
            **self.emu._bot_user(),
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _get_updates(self, params: Params) -> list[Params]:
        if self.emu.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active;"
                " use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        if offset > 0:
            self.emu._pending = [u for u in self.emu._pending if u["update_id"] >= offset]
        if not self.emu._pending:
            self.emu._updates_changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self.emu._updates_changed.wait(), float(params.get("timeout") or 0)
                )
        return self.emu._pending[: int(params.get("limit") or 100)]

    async def _set_webhook(self, params: Params) -> bool:
        if not params.get("url"):
            raise ApiError(400, "Bad Request: bad webhook: an HTTPS URL must be provided")
        self.emu.webhook_url = str(params["url"])
        self.emu.webhook_secret = params.get("secret_token")
        if self.emu._webhook_task is None or self.emu._webhook_task.done():
            self.emu._webhook_task = asyncio.create_task(self._push_updates())
        return True

    async def _delete_webhook(self, params: Params) -> bool:
        self.emu.webhook_url = None
        if params.get("drop_pending_updates"):
            self.emu._pending.clear()
        return True

    async def _get_webhook_info(self, params: Params) -> Params:
        return {
            "url": self.emu.webhook_url or "",
            "has_custom_certificate": False,
            "pending_update_count": len(self.emu._pending),
        }

    async def _push_updates(self) -> None:
        """Webhook mode: POST each update in order until the bot answers 2xx."""
        async with ClientSession(timeout=ClientTimeout(total=10)) as http:
            delay = 0.1
            while self.emu.webhook_url:
                if not self.emu._pending:
                    self.emu._updates_changed.clear()
                    await self.emu._updates_changed.wait()
                    continue
                headers = {"X-Telegram-Bot-Api-Secret-Token": self.emu.webhook_secret or ""}
                try:
                    async with http.post(
                        self.emu.webhook_url, json=self.emu._pending[0], headers=headers
                    ) as answer:
                        ok = 200 <= answer.status < 300
                except (ClientError, TimeoutError):
                    ok = False
                if ok:
                    self.emu._pending.pop(0)
                    delay = 0.1
                else:
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 5.0)

    async def _send_message(self, params: Params) -> Params:
        chat_id = self.emu._known_chat(params)
        text = params.get("text")
        text = "" if text is None else str(text)
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        return self.emu._record(
            SentMessage(
                chat_id,
                self.emu._new_message_id(chat_id),
                text,
                _markup(params),
                bool(params.get("protect_content")),
            )
        )

    async def _send_location(self, params: Params) -> Params:
        chat_id = self.emu._known_chat(params)
        try:
            point = (float(params["latitude"]), float(params["longitude"]))
        except (KeyError, TypeError, ValueError):
            raise ApiError(400, "Bad Request: wrong latitude or longitude") from None
        return self.emu._record(
            SentMessage(
                chat_id,
                self.emu._new_message_id(chat_id),
                None,
                _markup(params),
                bool(params.get("protect_content")),
                location=point,
            )
        )

    async def _edit_message_text(self, params: Params) -> Params:
        sent = self.emu._sent_message(params, "edit")
        text, markup = str(params.get("text") or ""), _markup(params)
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if text == sent.text and markup == sent.reply_markup:
            raise ApiError(400, "Bad Request: message is not modified")
        sent.text, sent.reply_markup, sent.edited = text, markup, sent.edited + 1
        self.emu._sends.set()
        return self.emu.message_json(sent)

    async def _edit_reply_markup(self, params: Params) -> Params:
        sent = self.emu._sent_message(params, "edit")
        markup = _markup(params)
        if markup == sent.reply_markup:
            raise ApiError(400, "Bad Request: message is not modified")
        sent.reply_markup, sent.edited = markup, sent.edited + 1
        self.emu._sends.set()
        return self.emu.message_json(sent)

    async def _delete_message(self, params: Params) -> bool:
        chat_id = self.emu._known_chat(params)
        key = (chat_id, int(params.get("message_id") or 0))
        sent = self.emu._sent_index.get(key)
        if key in self.emu._deleted or (sent is None and key not in self.emu._user_messages):
            raise ApiError(400, "Bad Request: message to delete not found")
        self.emu._deleted.add(key)
        if sent is not None:
            sent.deleted = True
        return True

    async def _answer_callback_query(self, params: Params) -> bool:
        if not params.get("callback_query_id"):
            raise ApiError(400, "Bad Request: query is too old and response timeout expired")
        query_id = str(params["callback_query_id"])
        user = self.emu._queries.pop(query_id, None)
        if user is None:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired")
        user.answered_callbacks.append((query_id, params.get("text")))
        return True

    async def _set_my_commands(self, params: Params) -> bool:
        self.emu.commands[str(params.get("language_code") or "")] = list(
            params.get("commands") or []
        )
        return True

    async def _get_my_commands(self, params: Params) -> list[Params]:
        return self.emu.commands.get(str(params.get("language_code") or ""), [])

    async def _accept(self, params: Params) -> bool:
        return True


def _markup(params: Params) -> dict[str, Any] | None:
    markup = params.get("reply_markup")
    return markup if isinstance(markup, dict) and markup else None
