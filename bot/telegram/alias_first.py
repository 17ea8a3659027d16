"""Nobody is named to others without a name: a command that would show her to her contacts
(an invitation, a check-in, an SOS, a code word, a PIN) asks for her alias first, inline,
and runs once she has given it, as she typed it.

The command waits in her conversation (the alias step, sealed like every step): its name
and its words. Her message is deleted at once when it carried words (details, a code word).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update

from bot.core.records import Conversation
from bot.telegram.context import UpdateContext
from bot.telegram.steps import Step

Handler = Callable[[Update, UpdateContext], Coroutine[Any, Any, None]]
_WAITING: dict[str, Handler] = {}


def alias_first(name: str) -> Callable[[Handler], Handler]:
    """A handler that asks for her alias first when she has none; `name` is how her
    conversation remembers it (stored: never change it)."""

    def decorate(handler: Handler) -> Handler:
        later(name, handler)

        @functools.wraps(handler)
        async def guarded(update: Update, context: UpdateContext) -> None:
            member = context.member
            if member is not None and not member.alias:
                await ask_alias_first(context, name, " ".join(context.args or []))
                await context.delete(update.effective_message if context.args else None)
                return
            await handler(update, context)

        return guarded

    return decorate


def later(name: str, handler: Handler) -> None:
    """`handler` runs once her alias is given, when something asked for it under `name`."""
    _WAITING[name] = handler


async def ask_alias_first(context: UpdateContext, name: str, words: str = "") -> None:
    """Ask for her alias, and keep what she was doing (`name` and its `words`) for after."""
    context.converse(Conversation(Step.ALIAS, {"then": name, "words": words}))
    await context.say("alias.first")


def waiting(at: Conversation | None) -> bool:
    """Whether something of hers waits for her alias."""
    return at is not None and at.data.get("then", "") in _WAITING


async def resume(context: UpdateContext, at: Conversation) -> None:
    """She has an alias now: do what she asked for before, with the words she typed then
    (her message, for a handler that looks at it, is the one that gave her alias)."""
    handler = _WAITING.get(at.data.get("then", ""))
    update = context._update
    if handler is None or not isinstance(update, Update):
        return
    words = at.data.get("words", "")
    context.args = words.split() if words else []
    await handler(update, context)
