"""What the emulator remembers: messages per chat, and what the bot sent."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class SentMessage:
    """A message the bot sent to a chat, as the emulator recorded it."""

    chat_id: int
    message_id: int
    text: str | None
    reply_markup: dict[str, Any] | None = None
    protect_content: bool = False
    location: tuple[float, float] | None = None
    deleted: bool = False
    edited: int = 0
    sent_at: float = field(default_factory=time.monotonic)
    sent_wall: float = field(default_factory=time.time)

    def buttons(self) -> list[str]:
        """Texts of the inline buttons, row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [button["text"] for row in rows for button in row]

    def callback_data(self, text_or_data: str) -> str:
        for row in (self.reply_markup or {}).get("inline_keyboard", []):
            for button in row:
                if text_or_data in (button["text"], button.get("callback_data")):
                    return str(button.get("callback_data", ""))
        raise LookupError(f"no button {text_or_data!r}; buttons: {self.buttons()}")

    def has_button(self, text_or_data: str) -> bool:
        try:
            self.callback_data(text_or_data)
        except LookupError:
            return False
        return True


@dataclass
class Fault:
    """An injected failure: "server_error", "timeout", "blocked" or "chat_not_found"."""

    kind: str
    method: str | None = None
    chat_id: int | None = None
    times: int | None = 1

    def matches(self, method: str, chat_id: int | None) -> bool:
        return (self.method in (None, method)) and (self.chat_id in (None, chat_id))


class TokenBucket:
    """`rate` tokens a second, at most `capacity` saved up."""

    def __init__(self, rate: float, capacity: float) -> None:
        self.rate, self.capacity = rate, capacity
        self.tokens, self.at = capacity, time.monotonic()

    def take(self) -> float:
        """Take a token; 0 when granted, else seconds until one is available."""
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate
