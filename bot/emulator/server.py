"""A local Bot API server on loopback that answers like Telegram, with a control side."""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any

from aiohttp import web

from bot.emulator.methods import ApiError, BotApi, Params
from bot.emulator.state import Fault, SentMessage, TokenBucket
from bot.emulator.users import EmulatedUser

BOT_ID = 7_000_001


class Emulator:
    """The bot talks to it over HTTP; tests drive it in-process through `user(...)`."""

    def __init__(
        self,
        token: str = "123456:EMULATOR",
        bot_username: str = "companera_demo_bot",
        rate_limits: bool = True,
        global_rate: float = 30.0,
        chat_rate: float = 1.0,
        chat_burst: float = 3.0,
    ) -> None:
        self.token, self.bot_username, self.rate_limits = token, bot_username, rate_limits
        self._global = TokenBucket(global_rate, global_rate)
        self._chat_limits: dict[int, TokenBucket] = defaultdict(
            lambda: TokenBucket(chat_rate, chat_burst)
        )
        self._users: dict[str, EmulatedUser] = {}
        self._by_id: dict[int, EmulatedUser] = {}
        self._next_user_id = 1_000_001
        self._message_ids: Counter[int] = Counter()
        self._user_messages: dict[tuple[int, int], Params] = {}
        self._deleted: set[tuple[int, int]] = set()
        self._inboxes: dict[int, list[SentMessage]] = defaultdict(list)
        self._sent_index: dict[tuple[int, int], SentMessage] = {}
        self._pending: list[Params] = []
        self._queries: dict[str, EmulatedUser] = {}
        self._next_update_id = 1
        self._faults: list[Fault] = []
        self._blocked: set[int] = set()
        self._outage_until = 0.0
        self.sent: list[SentMessage] = []
        self.requests: Counter[str] = Counter()
        self.too_many_requests = 0
        self.timeout_seconds = 30.0
        self.webhook_url: str | None = None
        self.webhook_secret: str | None = None
        self.commands: dict[str, list[Params]] = {}
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._updates_changed = asyncio.Event()
        self._sends = asyncio.Event()
        self._webhook_task: asyncio.Task[None] | None = None
        api = BotApi(self)
        self._methods: dict[str, Callable[[Params], Awaitable[Any]]] = {
            name.lower(): getattr(api, "_" + snake) for name, snake in _METHODS.items()
        }

    # -- life cycle -------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        app = web.Application(client_max_size=10 * 2**20)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        server = site._server
        assert server is not None
        self._port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def stop(self) -> None:
        if self._webhook_task:
            self._webhook_task.cancel()
        if self._runner:
            await self._runner.cleanup()

    async def __aenter__(self) -> Emulator:
        await self.start()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self._port}/file/bot"

    # -- control side -----------------------------------------------------------------------

    def user(self, name: str, language_code: str = "es") -> EmulatedUser:
        """The person called `name`, created with a fresh fake id on first use."""
        if name not in self._users:
            user = EmulatedUser(self, self._next_user_id, name, language_code)
            self._next_user_id += 1
            self._users[name] = self._by_id[user.id] = user
        return self._users[name]

    def users(self) -> list[EmulatedUser]:
        return list(self._users.values())

    def inbox(self, chat_id: int) -> list[SentMessage]:
        return list(self._inboxes[chat_id])

    def is_deleted(self, chat_id: int, message_id: int) -> bool:
        return (chat_id, message_id) in self._deleted

    def block(self, user: EmulatedUser) -> None:
        self._blocked.add(user.chat_id)

    def unblock(self, user: EmulatedUser) -> None:
        self._blocked.discard(user.chat_id)

    def inject(self, fault: Fault) -> None:
        self._faults.append(fault)

    def outage(self, seconds: float) -> None:
        """Every request from the bot fails with 502 for `seconds`."""
        self._outage_until = time.monotonic() + seconds

    def clear_faults(self) -> None:
        self._faults.clear()
        self._blocked.clear()
        self._outage_until = 0.0

    async def wait_for_send(self, timeout: float) -> None:
        """Return when the bot sends or edits something, or after `timeout`."""
        self._sends.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._sends.wait(), timeout)

    def user_message(self, user: EmulatedUser, content: Params) -> Params:
        """Record what she sends and queue it as an update."""
        message_id = self._new_message_id(user.chat_id)
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self._chat_json(user.chat_id),
            "from": user.as_telegram(),
            **content,
        }
        self._user_messages[(user.chat_id, message_id)] = message
        user.user_messages.append(message)
        self.queue({"message": message})
        return message

    def register_query(self, query_id: str, user: EmulatedUser) -> None:
        """Remember whose button press this is, so that its answer can be checked."""
        self._queries[query_id] = user

    def queue(self, body: Params) -> None:
        self._pending.append({"update_id": self._next_update_id, **body})
        self._next_update_id += 1
        self._updates_changed.set()

    def message_json(self, sent: SentMessage) -> Params:
        """A bot message as Telegram shows it in updates and results."""
        message: Params = {
            "message_id": sent.message_id,
            "date": int(sent.sent_wall),
            "chat": self._chat_json(sent.chat_id),
            "from": self._bot_user(),
        }
        if sent.text is not None:
            message["text"] = sent.text
        if sent.location is not None:
            message["location"] = {"latitude": sent.location[0], "longitude": sent.location[1]}
        if sent.reply_markup:
            message["reply_markup"] = sent.reply_markup
        if sent.protect_content:
            message["has_protected_content"] = True
        return message

    # -- the HTTP side ----------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(ApiError(401, "Unauthorized"))
        method = request.match_info["method"].lower()
        params = await _params(request)
        self.requests[request.match_info["method"]] += 1
        try:
            await self._gate(method, params)
            handler = self._methods.get(method)
            if handler is None:
                raise ApiError(404, "Not Found")
            result = await handler(params)
        except ApiError as error:
            return _error(error)
        return web.json_response({"ok": True, "result": result})

    async def _gate(self, method: str, params: Params) -> None:
        """Outage, injected faults, blocked chats and rate limits, in that order."""
        if time.monotonic() < self._outage_until:
            raise ApiError(502, "Bad Gateway")
        chat_id = _int_or_none(params.get("chat_id"))
        for fault in list(self._faults):
            if fault.matches(method_name(method), chat_id):
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                await self._fail(fault.kind)
        is_send = method.startswith("send") and method != "sendchataction"
        if is_send and chat_id in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if is_send and self.rate_limits and chat_id is not None:
            self._take_tokens(chat_id)

    def _take_tokens(self, chat_id: int) -> None:
        wait = max(self._chat_limits[chat_id].take(), 0.0)
        if wait == 0:
            wait = self._global.take()
            if wait:  # give the chat its token back: this send did not happen
                self._chat_limits[chat_id].tokens += 1
        if wait:
            self.too_many_requests += 1
            retry = max(1, math.ceil(wait))
            raise ApiError(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})

    async def _fail(self, kind: str) -> None:
        if kind == "timeout":
            await asyncio.sleep(self.timeout_seconds)
            raise ApiError(502, "Bad Gateway")
        if kind == "blocked":
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if kind == "chat_not_found":
            raise ApiError(400, "Bad Request: chat not found")
        raise ApiError(502, "Bad Gateway")

    # -- helpers shared by the methods ------------------------------------------------------

    def _bot_user(self) -> Params:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Compañera",
            "username": self.bot_username,
        }

    def _chat_json(self, chat_id: int) -> Params:
        user = self._by_id.get(chat_id)
        chat: Params = {"id": chat_id, "type": "private"}
        if user:
            chat.update(first_name=user.first_name, username=user.name)
        return chat

    def _new_message_id(self, chat_id: int) -> int:
        self._message_ids[chat_id] += 1
        return self._message_ids[chat_id]

    def _known_chat(self, params: Params) -> int:
        chat_id = _int_or_none(params.get("chat_id"))
        if chat_id is None:
            raise ApiError(400, "Bad Request: chat_id is empty")
        if chat_id not in self._by_id:
            raise ApiError(400, "Bad Request: chat not found")
        return chat_id

    def _record(self, sent: SentMessage) -> Params:
        self._inboxes[sent.chat_id].append(sent)
        self._sent_index[(sent.chat_id, sent.message_id)] = sent
        self.sent.append(sent)
        self._sends.set()
        return self.message_json(sent)

    def _sent_message(self, params: Params, action: str) -> SentMessage:
        chat_id = self._known_chat(params)
        message_id = _int_or_none(params.get("message_id"))
        sent = self._sent_index.get((chat_id, message_id or 0))
        if sent is None or sent.deleted:
            raise ApiError(400, f"Bad Request: message to {action} not found")
        return sent


def method_name(lowered: str) -> str:
    return _LOWER_TO_NAME.get(lowered, lowered)


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _error(error: ApiError) -> web.Response:
    body: Params = {"ok": False, "error_code": error.code, "description": error.description}
    if error.parameters:
        body["parameters"] = error.parameters
    return web.json_response(body, status=error.code)


async def _params(request: web.Request) -> Params:
    """Query string, form, multipart or JSON; form values that parse as JSON are decoded,
    as python-telegram-bot JSON-encodes every non-string value."""
    raw: Params = dict(request.query)
    if request.can_read_body:
        if request.content_type == "application/json":
            raw.update(await request.json())
            return raw
        form = await request.post()
        raw.update({k: v for k, v in form.items() if isinstance(v, str)})
    return {key: _decode(value) for key, value in raw.items()}


def _decode(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


_METHODS = {
    "getMe": "get_me",
    "getUpdates": "get_updates",
    "setWebhook": "set_webhook",
    "deleteWebhook": "delete_webhook",
    "getWebhookInfo": "get_webhook_info",
    "sendMessage": "send_message",
    "sendLocation": "send_location",
    "editMessageText": "edit_message_text",
    "editMessageReplyMarkup": "edit_reply_markup",
    "deleteMessage": "delete_message",
    "answerCallbackQuery": "answer_callback_query",
    "setMyCommands": "set_my_commands",
    "getMyCommands": "get_my_commands",
    "deleteMyCommands": "accept",
    "setMyDescription": "accept",
    "setMyShortDescription": "accept",
    "setChatMenuButton": "accept",
    "sendChatAction": "accept",
    "close": "accept",
    "logOut": "accept",
}
_LOWER_TO_NAME = {name.lower(): name for name in _METHODS}
