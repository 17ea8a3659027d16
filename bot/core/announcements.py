"""An operator's announcement to every member ("the bot moves to a new name on Friday"),
sent at broadcast priority so that it never delays an alert or a reply."""

from __future__ import annotations

import hashlib

from bot.core.context import Core, Refused
from bot.core.notifications import Announcement

MAX_TEXT = 3500  # Telegram's limit is 4096; the header in her language needs room
PAGE = 500


def check(text: str) -> Refused | None:
    """Why this text cannot be announced, if it cannot."""
    if not text.strip():
        return Refused("announce.error.empty")
    if len(text.strip()) > MAX_TEXT:
        return Refused("announce.error.too_long", {"max": str(MAX_TEXT)})
    return None


async def announce(core: Core, text: str) -> int | Refused:
    """Queue `text` for every member; returns how many were queued. Running it again with
    the same text on the same day queues nobody twice."""
    refused = check(text)
    if refused is not None:
        return refused
    text = text.strip()
    day = core.clock.now().date().isoformat()
    batch = hashlib.sha256(f"{day}\n{text}".encode()).hexdigest()[:16]
    queued, after = 0, ""
    while True:
        async with core.unit() as work:
            ids = await work.members.ids_after(after, PAGE)
            for member_id in ids:
                queued += await work.notify(Announcement(member_id, text, batch=batch))
        if len(ids) < PAGE:
            return queued
        after = ids[-1]
