"""The control side: a person in a private chat with the bot, as tests and the demo drive her."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

from bot.emulator.protocol import Json
from bot.emulator.state import SentMessage

if TYPE_CHECKING:
    from bot.emulator.server import Emulator

COMMAND = re.compile(r"/[A-Za-z0-9_]{1,64}(@[A-Za-z0-9_]{1,64})?")


class EmulatedUser:
    """A person who writes to the bot, presses its buttons and reads what it sends her."""

    def __init__(self, emulator: Emulator, user_id: int, name: str, language_code: str) -> None:
        self._emulator = emulator
        self.id = self.chat_id = user_id
        self.name = self.username = name
        self.first_name = name[:1].upper() + name[1:]
        self.language_code = language_code
        self.user_messages: list[Json] = []
        self._cursor = 0

    def __repr__(self) -> str:
        return f"EmulatedUser({self.name!r}, id={self.id})"

    def as_telegram(self) -> Json:
        """Her Telegram `User` object."""
        return {
            "id": self.id,
            "is_bot": False,
            "first_name": self.first_name,
            "username": self.username,
            "language_code": self.language_code,
        }

    # -- what she does ----------------------------------------------------------------------

    async def send(self, text: str) -> Json:
        """She sends a text (a /command gets its bot_command entity); returns her message."""
        if not text:
            raise ValueError("Telegram does not send empty messages")
        content: Json = {"text": text}
        command = COMMAND.match(text)
        if command:
            content["entities"] = [
                {"type": "bot_command", "offset": 0, "length": _utf16_len(command.group())}
            ]
        return self._post(content)

    async def send_location(
        self, latitude: float, longitude: float, live_period: int | None = None
    ) -> Json:
        """She shares a location, live for `live_period` seconds if given."""
        location: Json = {"latitude": latitude, "longitude": longitude}
        if live_period:
            location["live_period"] = live_period
        return self._post({"location": location})

    async def send_contact(self, phone_number: str, first_name: str = "Contact") -> Json:
        """She shares a contact card (or forwards one)."""
        return self._post({"contact": {"phone_number": phone_number, "first_name": first_name}})

    async def send_photo(self, forwarded: bool = False) -> Json:
        """She sends a photo, or forwards one from another chat."""
        photo = [{"file_id": "photo-1", "file_unique_id": "p1", "width": 90, "height": 90}]
        content: Json = {"photo": photo}
        if forwarded:
            content["forward_origin"] = {
                "type": "hidden_user",
                "sender_user_name": "Someone",
                "date": int(time.time()),
            }
        return self._post(content)

    async def edit_live_location(self, message: Json, latitude: float, longitude: float) -> Json:
        """Her live location moved: Telegram sends the message again as `edited_message`."""
        if "location" not in message:
            raise ValueError("only a message with a location can move")
        moved = {"latitude": latitude, "longitude": longitude}
        edited = {**message, "location": {**message["location"], **moved}}
        edited["edit_date"] = int(time.time())
        self._emulator.updates.push({"edited_message": edited})
        return edited

    async def press(self, message: SentMessage | None, button: str) -> str:
        """She presses a button (by text or callback data); returns the callback query id."""
        # Without a message: the newest one in her chat that has such a button.
        if message is None:
            message = self._newest_with(button)
        elif message.chat_id != self.chat_id:
            raise LookupError(f"{self.name} cannot see a message in chat {message.chat_id}")
        if message.deleted:
            raise LookupError(f"message {message.message_id} was deleted: no buttons to press")
        data = message.callback_data(button)
        query_id = self._emulator.api.open_query(self.id)
        query = {
            "id": query_id,
            "from": self.as_telegram(),
            "message": self._emulator.chats.message_json(message),
            "chat_instance": str(-self.chat_id),
            "data": data,
        }
        self._emulator.updates.push({"callback_query": query})
        return query_id

    def _newest_with(self, button: str) -> SentMessage:
        for message in reversed(self.inbox()):
            if not message.deleted and message.has_button(button):
                return message
        raise LookupError(
            f"{self.name} has no message with a button {button!r}; her buttons: "
            f"{[m.buttons() for m in self.inbox() if m.buttons() and not m.deleted]}"
        )

    def _post(self, content: Json) -> Json:
        chats = self._emulator.chats
        message: Json = {
            "message_id": chats.next_message_id(self.chat_id),
            "from": self.as_telegram(),
            "chat": chats.chat_json(self.chat_id),
            "date": int(time.time()),
            **content,
        }
        chats.add_user_message(self.chat_id, message)
        self.user_messages.append(message)
        self._emulator.updates.push({"message": message})
        return message

    # -- what she sees ----------------------------------------------------------------------

    def inbox(self) -> list[SentMessage]:
        """Everything the bot sent to her chat, oldest first, deleted ones too."""
        return self._emulator.inbox(self.chat_id)

    @property
    def answered_callbacks(self) -> list[tuple[str, str | None]]:
        """(query id, text) of each of her button presses the bot answered, in order."""
        answers = self._emulator.callback_answers
        return [(a.query_id, a.text) for a in answers if a.user_id == self.id]

    def is_deleted(self, message: Json | SentMessage) -> bool:
        """Whether the bot deleted one of her messages (or one of its own)."""
        if isinstance(message, SentMessage):
            return message.deleted
        return self._emulator.is_deleted(self.chat_id, int(message["message_id"]))

    async def receives(
        self, containing: str | None = None, timeout: float = 5.0, after: int | None = None
    ) -> SentMessage:
        """Wait for the next unconsumed message to her that matches, and consume it."""
        # Matching: the text contains `containing`, and the message_id is above `after`.
        # Messages passed over on the way are consumed too, so order is asserted.
        found: list[SentMessage] = []

        def arrived() -> bool:
            inbox = self.inbox()
            while not found and self._cursor < len(inbox):
                message = inbox[self._cursor]
                self._cursor += 1
                if _wanted(message, containing, after):
                    found.append(message)
            return bool(found)

        if await self._emulator.chats.changed.wait_until(arrived, timeout):
            return found[0]
        raise AssertionError(self._missed(containing, after, timeout))

    async def receives_nothing(self, within: float | None = None) -> None:
        """Without `within`: assert that her chat holds nothing she has not read yet (with
        `receives`). Call it once the bot has settled, so that whatever was on its way has
        arrived. With `within`: that nothing new comes for that many seconds."""
        if within is None:
            unread = [_describe(m) for m in self.inbox()[self._cursor :]]
            if unread:
                raise AssertionError(f"{self.name} should have nothing unread, but has {unread}")
            return
        seen = len(self.inbox())
        if await self._emulator.chats.changed.wait_until(lambda: len(self.inbox()) > seen, within):
            news = [m.text for m in self.inbox()[seen:]]
            raise AssertionError(f"{self.name} should have received nothing, but got {news}")

    def _missed(self, containing: str | None, after: int | None, timeout: float) -> str:
        what = "a message" if containing is None else f"a message containing {containing!r}"
        if after is not None:
            what += f" after message {after}"
        texts = [_describe(m) for m in self.inbox()]
        return f"{self.name} did not receive {what} within {timeout} s; her chat so far: {texts}"


def _wanted(message: SentMessage, containing: str | None, after: int | None) -> bool:
    if after is not None and message.message_id <= after:
        return False
    return containing is None or containing in (message.text or "")


def _describe(message: SentMessage) -> str:
    body = message.text if message.text is not None else f"location {message.location}"
    return f"(deleted) {body}" if message.deleted else body


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
