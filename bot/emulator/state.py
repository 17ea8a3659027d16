"""What the emulator remembers: chats, the messages in them, and who is waiting for news."""

from __future__ import annotations

import asyncio
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.emulator.protocol import Json


@dataclass
class SentMessage:
    """A message the bot sent to a chat, as the emulator recorded it."""

    chat_id: int
    message_id: int
    text: str | None
    reply_markup: dict[str, Any] | None = None
    protect_content: bool = False
    location: tuple[float, float] | None = None
    document: tuple[str, bytes] | None = None  # (file name, content) of a sent document
    deleted: bool = False
    edited: int = 0
    sent_at: float = field(default_factory=time.monotonic)
    sent_wall: float = field(default_factory=time.time)

    def _inline_buttons(self) -> list[dict[str, Any]]:
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [button for row in rows for button in row]

    def buttons(self) -> list[str]:
        """Texts of the inline buttons, row by row, flattened."""
        return [str(button.get("text", "")) for button in self._inline_buttons()]

    def _button(self, text_or_data: str) -> dict[str, Any] | None:
        buttons = self._inline_buttons()
        by_text = [b for b in buttons if b.get("text") == text_or_data]
        by_data = [b for b in buttons if b.get("callback_data") == text_or_data]
        matches = by_text or by_data
        return matches[0] if matches else None

    def has_button(self, text_or_data: str) -> bool:
        """Whether an inline button has this exact text or callback data."""
        return self._button(text_or_data) is not None

    def callback_data(self, text_or_data: str) -> str:
        """The callback data of the button with this text (or this data)."""
        button = self._button(text_or_data)
        if button is None:
            raise LookupError(f"no button {text_or_data!r}; the buttons are {self.buttons()}")
        if "callback_data" not in button:
            raise LookupError(f"button {text_or_data!r} is not a callback button: {button}")
        return str(button["callback_data"])


@dataclass(frozen=True)
class Edit:
    """An edit of a bot message, and when the emulator accepted it."""

    chat_id: int
    message_id: int
    at: float = field(default_factory=time.monotonic)
    wall: float = field(default_factory=time.time)


@dataclass(frozen=True)
class ChatEvent:
    """One change in a chat as the person in it sees it happen, in order: a message of the
    bot's sent or edited (what it shows from then on), a message of either side deleted, a
    button press answered (the line Telegram shows over the chat, if any)."""

    action: str  # "sent", "edited", "deleted" or "answered"
    message_id: int = 0
    by_bot: bool = True
    text: str | None = None
    reply_markup: dict[str, Any] | None = None
    protect_content: bool = False
    location: tuple[float, float] | None = None
    show_alert: bool = False
    document: str | None = None  # a sent document's file name


@dataclass
class CallbackAnswer:
    """How the bot answered a button press (answerCallbackQuery)."""

    query_id: str
    user_id: int
    text: str | None
    show_alert: bool


class Signal:
    """A broadcast: every coroutine waiting on it wakes at the next `notify()`."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        """Wake every current waiter."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait_until(self, ready: Callable[[], bool], timeout: float | None) -> bool:
        """Wait until `ready()` holds (True) or `timeout` seconds pass (False)."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while not ready():
            remaining = None if deadline is None else deadline - loop.time()
            if remaining is not None and remaining <= 0:
                return False
            event = self._event
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                return ready()
        return True


class Chats:
    """Chats with the bot (private ones and groups): message ids, messages both ways,
    deletions."""

    def __init__(self, bot_user: Json) -> None:
        self.bot_user = bot_user
        self.sent: list[SentMessage] = []
        self.edits: list[Edit] = []
        self.changed = Signal()
        self._people: dict[int, Json] = {}
        self._groups: dict[int, str] = {}
        self._message_ids: Counter[int] = Counter()
        self._inboxes: defaultdict[int, list[SentMessage]] = defaultdict(list)
        self._bot_messages: dict[tuple[int, int], SentMessage] = {}
        self._user_messages: dict[tuple[int, int], Json] = {}
        self._deleted: set[tuple[int, int]] = set()
        self._history: defaultdict[int, list[ChatEvent]] = defaultdict(list)

    def open(self, person: Json) -> None:
        """Open the private chat with a person (a Telegram `User` object)."""
        self._people[int(person["id"])] = person

    def open_group(self, chat_id: int, title: str) -> None:
        """A group chat the bot is a member of."""
        self._groups[chat_id] = title

    def exists(self, chat_id: int) -> bool:
        """Whether the bot has a chat with this id."""
        return chat_id in self._people or chat_id in self._groups

    def chat_json(self, chat_id: int) -> Json:
        """The Telegram `Chat` object of a private chat or a group."""
        if chat_id in self._groups:
            return {"id": chat_id, "type": "group", "title": self._groups[chat_id]}
        person = self._people.get(chat_id, {})
        chat: Json = {"id": chat_id, "type": "private"}
        for key in ("first_name", "username"):
            if person.get(key):
                chat[key] = person[key]
        return chat

    def next_message_id(self, chat_id: int) -> int:
        """A new message id: one counter per chat, shared by both sides."""
        self._message_ids[chat_id] += 1
        return self._message_ids[chat_id]

    def add_bot_message(self, sent: SentMessage) -> Json:
        """Record what the bot sent and wake whoever waits for it."""
        self._inboxes[sent.chat_id].append(sent)
        self._bot_messages[(sent.chat_id, sent.message_id)] = sent
        self._history[sent.chat_id].append(_shown("sent", sent))
        self.sent.append(sent)
        self.changed.notify()
        return self.message_json(sent)

    def add_user_message(self, chat_id: int, message: Json) -> None:
        """Record what a person sent."""
        self._user_messages[(chat_id, int(message["message_id"]))] = message

    def bot_message(self, chat_id: int, message_id: int) -> SentMessage | None:
        """A message the bot sent and has not deleted."""
        sent = self._bot_messages.get((chat_id, message_id))
        return None if sent is None or sent.deleted else sent

    def edited(self, sent: SentMessage) -> Json:
        """Count an edit of a bot message and wake whoever waits for news."""
        sent.edited += 1
        self.edits.append(Edit(sent.chat_id, sent.message_id))
        self._history[sent.chat_id].append(_shown("edited", sent))
        self.changed.notify()
        return self.message_json(sent)

    def delete(self, chat_id: int, message_id: int) -> bool:
        """Mark a message of either side deleted; False if there is no such message."""
        key = (chat_id, message_id)
        if key in self._deleted:
            return False
        if key not in self._bot_messages and key not in self._user_messages:
            return False
        self._deleted.add(key)
        if key in self._bot_messages:
            self._bot_messages[key].deleted = True
        self._history[chat_id].append(
            ChatEvent("deleted", message_id, by_bot=key in self._bot_messages)
        )
        self.changed.notify()
        return True

    def is_deleted(self, chat_id: int, message_id: int) -> bool:
        """Whether the message (of either side) was deleted."""
        return (chat_id, message_id) in self._deleted

    def answered(self, chat_id: int, text: str | None, show_alert: bool) -> None:
        """Record the bot's answer to a button pressed in this (private) chat."""
        self._history[chat_id].append(ChatEvent("answered", text=text, show_alert=show_alert))

    def history(self, chat_id: int) -> list[ChatEvent]:
        """Everything that changed in the chat, in order: what its person saw happen."""
        return list(self._history.get(chat_id, []))

    def inbox(self, chat_id: int) -> list[SentMessage]:
        """What the bot sent to the chat, oldest first, deleted ones too."""
        return list(self._inboxes.get(chat_id, []))

    def message_json(self, sent: SentMessage) -> Json:
        """A bot message as Telegram shows it in results and updates."""
        message: Json = {
            "message_id": sent.message_id,
            "from": self.bot_user,
            "chat": self.chat_json(sent.chat_id),
            "date": int(sent.sent_wall),
        }
        if sent.document is not None:
            name, content = sent.document
            message["document"] = {
                "file_id": f"document-{sent.chat_id}-{sent.message_id}",
                "file_unique_id": f"d{sent.chat_id}x{sent.message_id}",
                "file_name": name,
                "file_size": len(content),
            }
            if sent.text is not None:
                message["caption"] = sent.text
        elif sent.text is not None:
            message["text"] = sent.text
        if sent.location is not None:
            message["location"] = {"latitude": sent.location[0], "longitude": sent.location[1]}
        if sent.reply_markup:
            message["reply_markup"] = sent.reply_markup
        if sent.protect_content:
            message["has_protected_content"] = True
        if sent.edited:
            message["edit_date"] = int(time.time())
        return message


def _shown(action: str, sent: SentMessage) -> ChatEvent:
    """A bot message as it shows at this moment (an edit changes it later)."""
    return ChatEvent(
        action,
        sent.message_id,
        text=sent.text,
        reply_markup=sent.reply_markup,
        protect_content=sent.protect_content,
        location=sent.location,
        document=sent.document[0] if sent.document else None,
    )
