"""A fake Telegram Bot API server on loopback, and the control side that drives it."""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter
from collections.abc import Callable
from types import TracebackType

from aiohttp import web

from bot.emulator.limits import Fault, Gate
from bot.emulator.methods import BotApi
from bot.emulator.protocol import ApiError, Json, ok, read_params
from bot.emulator.state import CallbackAnswer, ChatEvent, Chats, Edit, SentMessage
from bot.emulator.updates import UpdateQueue
from bot.emulator.users import EmulatedUser

FIRST_USER_ID = 1_000_001
FALLBACK_BOT_ID = 7_000_001
FIRST_GROUP_ID = -1_001_000_000_000
MAX_UPLOAD = 20 * 2**20


class Emulator:
    """The bot talks to it over HTTP; tests and the demo drive it in-process."""

    def __init__(
        self,
        token: str = "123456:EMULATOR",
        bot_username: str = "companera_demo_bot",
        rate_limits: bool = True,
        global_rate: float = 30.0,
        chat_rate: float = 1.0,
        chat_burst: float = 3.0,
        group_per_minute: int = 20,
        latency: float = 0.0,
        limit_edits: bool = False,
    ) -> None:
        self.token, self.bot_username = token, bot_username
        self.bot_id = _bot_id(token)
        bot_user = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Compañera",
            "username": bot_username,
        }
        self.chats = Chats(bot_user)
        self.updates = UpdateQueue()
        self.api = BotApi(self.chats, self.updates)
        # limit_edits: edits spend the same tokens as sends (Telegram counts them; off by
        # default, since a bot's answers to button presses edit outside any pacing).
        self.gate = Gate(
            rate_limits, global_rate, chat_rate, chat_burst, group_per_minute, limit_edits
        )
        self.latency = latency  # seconds of round trip added to every Bot API request
        self._groups = 0
        self.requests: Counter[str] = Counter()
        self._users: dict[str, EmulatedUser] = {}
        self._runner: web.AppRunner | None = None
        self._host, self._port = "127.0.0.1", 0

    # -- life cycle -------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on `host`:`port` (0: a free port)."""
        if self._runner is not None:
            raise RuntimeError("the emulator is already running")
        app = web.Application(client_max_size=MAX_UPLOAD)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("*", "/file/bot{token}/{path:.*}", self._file)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner, self._host = runner, host
        self.gate.open()
        self.updates.open()
        self._port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        """End long polls, webhook delivery and hanging faults, then stop listening."""
        self.gate.close()
        await self.updates.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Emulator:
        await self.start()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """What python-telegram-bot's `base_url` wants: the token is appended to it."""
        return f"{self._origin()}/bot"

    @property
    def base_file_url(self) -> str:
        """What python-telegram-bot's `base_file_url` wants."""
        return f"{self._origin()}/file/bot"

    def _origin(self) -> str:
        if self._runner is None:
            raise RuntimeError("start the emulator first")
        host = "127.0.0.1" if self._host in ("", "0.0.0.0") else self._host
        return f"http://{host}:{self._port}"

    # -- people -----------------------------------------------------------------------------

    def user(self, name: str, language_code: str = "es") -> EmulatedUser:
        """The person called `name`, made with a fresh fake id on first use."""
        if name not in self._users:
            user = EmulatedUser(self, FIRST_USER_ID + len(self._users), name, language_code)
            self._users[name] = user
            self.chats.open(user.as_telegram())
        return self._users[name]

    def group(self, title: str) -> int:
        """A group chat the bot is in; returns its (negative) chat id."""
        self._groups += 1
        chat_id = FIRST_GROUP_ID - self._groups
        self.chats.open_group(chat_id, title)
        return chat_id

    def users(self) -> list[EmulatedUser]:
        """Everyone made so far, oldest first."""
        return list(self._users.values())

    # -- what happened ----------------------------------------------------------------------

    @property
    def sent(self) -> list[SentMessage]:
        """Every message the bot sent, in order."""
        return self.chats.sent

    @property
    def edits(self) -> list[Edit]:
        """Every edit of a bot message, in order, with when it was accepted."""
        return self.chats.edits

    def inbox(self, chat_id: int) -> list[SentMessage]:
        """What the bot sent to a chat, oldest first, deleted ones too."""
        return self.chats.inbox(chat_id)

    def is_deleted(self, chat_id: int, message_id: int) -> bool:
        """Whether a message (the bot's or the person's) was deleted."""
        return self.chats.is_deleted(chat_id, message_id)

    async def wait_until(self, condition: Callable[[], bool], timeout: float = 5.0) -> None:
        """Wait until `condition()` holds (rechecked on every send, edit and delete)."""
        if not await self.chats.changed.wait_until(condition, timeout):
            raise AssertionError(f"still not true after {timeout} s: {condition}")

    @property
    def callback_answers(self) -> list[CallbackAnswer]:
        """Every answerCallbackQuery, in order."""
        return self.api.callback_answers

    @property
    def commands(self) -> dict[str, list[Json]]:
        """The default-scope command menus set with setMyCommands, by language code."""
        return self.api.commands

    def menu(self, user: EmulatedUser) -> list[Json]:
        """The command menu she sees in her chat (per chat, per language, as Telegram picks)."""
        return self.api.menu(user.chat_id, user.language_code)

    def history(self, chat_id: int) -> list[ChatEvent]:
        """What happened in a chat, in order: sends, edits, deletions, answered presses."""
        return self.chats.history(chat_id)

    @property
    def webhook_url(self) -> str | None:
        """The webhook set by the bot, if any."""
        return self.updates.webhook_url

    @property
    def too_many_requests(self) -> int:
        """How many requests were refused with 429."""
        return self.gate.too_many_requests

    # -- failures ---------------------------------------------------------------------------

    @property
    def rate_limits(self) -> bool:
        """Whether Telegram's rate limits are enforced."""
        return self.gate.rate_limits

    @rate_limits.setter
    def rate_limits(self, on: bool) -> None:
        self.gate.rate_limits = on

    @property
    def timeout_seconds(self) -> float:
        """How long a "timeout" fault hangs before it answers 502."""
        return self.gate.timeout_seconds

    @timeout_seconds.setter
    def timeout_seconds(self, seconds: float) -> None:
        self.gate.timeout_seconds = seconds

    def inject(self, fault: Fault) -> None:
        """Make matching requests fail; faults apply in the order injected."""
        self.gate.faults.append(fault)

    def block(self, user: EmulatedUser) -> None:
        """She blocks the bot: sends to her answer 403 until `unblock`."""
        self.gate.blocked.add(user.chat_id)

    def unblock(self, user: EmulatedUser) -> None:
        """She unblocks the bot."""
        self.gate.blocked.discard(user.chat_id)

    def outage(self, seconds: float | None = None) -> None:
        """Every request from the bot answers 502 for `seconds`, or until `end_outage()`."""
        self.gate.outage_until = math.inf if seconds is None else time.monotonic() + seconds

    def end_outage(self) -> None:
        """Telegram is back."""
        self.gate.outage_until = 0.0

    @property
    def in_outage(self) -> bool:
        """Whether requests are answered 502 right now."""
        return time.monotonic() < self.gate.outage_until

    def peak_rate(self, window: float = 1.0, chat_id: int | None = None) -> int:
        """The most messages accepted within any `window` seconds, in all or in one chat."""
        times = [m.sent_at for m in self.sent if chat_id is None or m.chat_id == chat_id]
        best, start = 0, 0
        for end in range(len(times)):
            while times[end] - times[start] >= window:
                start += 1
            best = max(best, end - start + 1)
        return best

    def clear_faults(self) -> None:
        """Forget injected faults, blocks and any outage."""
        self.gate.clear()

    # -- the HTTP side ----------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return ApiError(401, "Unauthorized").response()
        found = self.api.handler(request.match_info["method"])
        self.requests[found[0] if found else request.match_info["method"]] += 1
        if self.latency:
            await asyncio.sleep(self.latency / 2)
        try:
            self.gate.check_outage()
            if found is None:
                raise ApiError(404, "Not Found")
            name, handler = found
            params = await read_params(request)
            withheld = await self.gate.check(name, params.integer("chat_id"))
            answer = ok(await handler(params))
            if withheld is not None:
                await self.gate.withhold_answer()
        except ApiError as error:
            answer = error.response()
        if self.latency:
            await asyncio.sleep(self.latency / 2)
        return answer

    async def _file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return ApiError(401, "Unauthorized").response()
        return ApiError(404, "Not Found").response()


def _bot_id(token: str) -> int:
    """A token starts with its bot's id, as Telegram's do ("123456:..." is bot 123456)."""
    head = token.split(":", 1)[0]
    return int(head) if head.isdigit() else FALLBACK_BOT_ID
