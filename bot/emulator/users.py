"""The control side: a person in Telegram, as tests and the demo drive her."""

from __future__ import annotations

import asyncio
import itertools
from typing import TYPE_CHECKING, Any

from bot.emulator.state import SentMessage

if TYPE_CHECKING:
    from bot.emulator.server import Emulator

_query_ids = itertools.count(1)


class EmulatedUser:
    def __init__(self, emulator: Emulator, user_id: int, name: str, language_code: str) -> None:
        self._emulator = emulator
        self.id = self.chat_id = user_id
        self.name = name
        self.first_name = name.capitalize()
        self.language_code = language_code
        self.answered_callbacks: list[tuple[str, str | None]] = []
        self.user_messages: list[dict[str, Any]] = []
        self._cursor = 0

    def as_telegram(self) -> dict[str, Any]:
        """The Telegram `User` object."""
        return {
            "id": self.id,
            "is_bot": False,
            "first_name": self.first_name,
            "username": self.name,
            "language_code": self.language_code,
        }

    async def send(self, text: str) -> dict[str, Any]:
        """She sends a text (or a /command); returns her message."""
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            word = text.split(maxsplit=1)[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(word)}]
        return self._emulator.user_message(self, content)

    async def send_location(
        self, latitude: float, longitude: float, live_period: int | None = None
    ) -> dict[str, Any]:
        location: dict[str, Any] = {"latitude": latitude, "longitude": longitude}
        if live_period:
            location["live_period"] = live_period
        return self._emulator.user_message(self, {"location": location})

    async def edit_live_location(
        self, message: dict[str, Any], latitude: float, longitude: float
    ) -> None:
        """A live location moved: Telegram sends it as an edited message."""
        edited = {
            **message,
            "location": {**message["location"], "latitude": latitude, "longitude": longitude},
        }
        self._emulator.queue({"edited_message": edited})

    async def press(self, message: SentMessage | None, button: str) -> None:
        """Press an inline button (by its text or its data) of a message the bot sent her."""
        if message is None:
            candidates = [m for m in self.inbox() if m.has_button(button)]
            if not candidates:
                raise LookupError(f"{self.name} has no message with a button {button!r}")
            message = candidates[-1]
        data = message.callback_data(button)
        query_id = str(next(_query_ids))
        self._emulator.register_query(query_id, self)
        self._emulator.queue(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self.as_telegram(),
                    "message": self._emulator.message_json(message),
                    "chat_instance": str(self.id),
                    "data": data,
                }
            }
        )

    def inbox(self) -> list[SentMessage]:
        """Everything the bot sent to her chat, oldest first (deleted ones too)."""
        return self._emulator.inbox(self.chat_id)

    async def receives(self, containing: str | None = None, timeout: float = 5.0) -> SentMessage:
        """The next message to her not yet seen here whose text contains `containing`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            inbox = self.inbox()
            while self._cursor < len(inbox):
                message = inbox[self._cursor]
                self._cursor += 1
                if containing is None or containing in (message.text or ""):
                    return message
            remaining = deadline - loop.time()
            if remaining <= 0:
                texts = [m.text for m in inbox]
                raise AssertionError(
                    f"{self.name} did not receive {containing!r} within {timeout} s; got {texts}"
                )
            await self._emulator.wait_for_send(remaining)

    async def receives_nothing(self, within: float) -> None:
        """Assert that nothing new reaches her chat for `within` seconds."""
        seen = len(self.inbox())
        await asyncio.sleep(within)
        new = self.inbox()[seen:]
        assert not new, f"{self.name} received {[m.text for m in new]}"
        self._cursor = max(self._cursor, len(self.inbox()))
