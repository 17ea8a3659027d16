"""One update, one unit of work: what a handler is given, and the turn behind it.

`Turn` is one update's unit of work. The application opens it before any handler runs,
the first handler (group -1) identifies the member in it, the handlers read and write
through it and queue their replies in it as outbox rows, and the application commits it
once at the end. Telegram calls that need no answer from us (stopping a button's spinner,
editing a message) wait until after the commit, so that on SQLite no transaction holds the
writer lock across a network call; deleting her messages goes through the outbox."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackContext, ExtBot

from bot.core import members
from bot.core.context import Core, Refused, Work
from bot.core.notifications import Notification, Priority, Reply
from bot.core.records import Conversation, Member

log = logging.getLogger("companera.telegram")
_UNCHANGED = object()


class Turn:
    """One update's unit of work, its member, her conversation change, and what to do with
    Telegram once it is committed."""

    def __init__(self, work: Work) -> None:
        self.work = work
        self.member: Member | None = None
        self.error: BaseException | None = None
        self._conversation: object = _UNCHANGED
        self._stored_conversation: Conversation | None = None  # as read when identified
        self._messages: list[Notification] = []
        self._after_commit: list[Callable[[], Awaitable[object]]] = []

    async def identify(self, update: Update) -> Member | None:
        """The member behind the update (created on first contact); None for a channel or
        a bot."""
        user = update.effective_user
        if user is None or user.is_bot:
            return None
        self.member = await members.identify(self.work, user.id, user.language_code)
        self._stored_conversation = self.member.conversation
        return self.member

    def converse(self, conversation: Conversation | None) -> None:
        """Her next step (None: no question pending); written once, at the end."""
        self._conversation = conversation
        if self.member is not None:
            self.member = replace(self.member, conversation=conversation)

    def queue(self, notification: Notification) -> None:
        """Queue a message for her; the update's messages are written together, in the
        order they were queued, at the end."""
        self._messages.append(notification)

    def after_commit(self, action: Callable[[], Awaitable[object]]) -> None:
        self._after_commit.append(action)

    async def finish(self) -> None:
        """Write her replies and her conversation change, commit once, then call Telegram."""
        if self._messages:
            await self.work.notify_many(self._messages)
        if self._conversation is not _UNCHANGED and self.member is not None:
            conversation = self._conversation
            assert conversation is None or isinstance(conversation, Conversation)
            if conversation != self._stored_conversation:
                await self.work.members.set_conversation(self.member.id, conversation)
        await self.work.commit()
        for action in self._after_commit:
            try:
                await action()
            except TelegramError as error:  # a stale button, a message already gone
                log.info("update.after_commit_failed", extra={"error": type(error).__name__})
            except Exception as error:  # committed already: it must not be handled again
                log.warning("update.after_commit_failed", extra={"error": type(error).__name__})

    def forget_changes(self) -> None:
        """After a rollback: nothing of what the handlers asked for is kept."""
        self._conversation = _UNCHANGED
        self._messages.clear()
        self._after_commit.clear()


class UpdateContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """What a handler is given: the update's unit of work, the member, and replies."""

    _update: object

    @property
    def core(self) -> Core:
        core: Core = self.application.bot_data["core"]
        return core

    @property
    def turn(self) -> Turn:
        turn: Turn = self.application.turn_of(self._update)  # type: ignore[attr-defined]
        return turn

    @property
    def work(self) -> Work:
        return self.turn.work

    @property
    def member(self) -> Member | None:
        return self.turn.member

    @classmethod
    def from_update(
        cls, update: object, application: Application[Any, Any, Any, Any, Any, Any]
    ) -> UpdateContext:
        context = super().from_update(update, application)
        context._update = update
        return context

    def converse(self, conversation: Conversation | None) -> None:
        self.turn.converse(conversation)

    async def say(
        self,
        key: str,
        markup: InlineKeyboardMarkup | None = None,
        protect: bool = False,
        *,
        to: Member | None = None,
        delete_first: Message | None = None,
        key_if_kept: str | None = None,
        **params: Any,
    ) -> None:
        """Queue a catalog message for her (or `to`) as an interactive reply, in this
        update's transaction; the outbox sender renders it in her language and sends it.
        With `delete_first`, her message is deleted first, and `key_if_kept` is said
        instead if Telegram would not delete it."""
        member = to or self.member
        if member is not None:
            self.turn.queue(
                reply(member.id, key, markup, protect, params, delete_first, key_if_kept)
            )

    async def notify(self, notification: Notification) -> None:
        """Queue any other message for her, in order with her replies."""
        self.turn.queue(notification)

    async def refuse(self, refusal: Refused) -> None:
        """Say why not: a refusal's catalog key and its safe parameters."""
        if self.member is not None:
            self.turn.queue(
                reply(self.member.id, refusal.reason, None, False, dict(refusal.params))
            )

    async def delete(self, message: Message | None) -> None:
        """Delete her message from the chat (it held details, a PIN, a phrase, a number),
        after the commit, through the outbox, before this update's replies."""
        if message is None or self.member is None:
            return
        self.turn.queue(
            Reply(
                self.member.id,
                delete_first=message.message_id,
                # Ahead of the replies of the same update: a PIN, a phone number or her
                # details leave the screen before anything else is shown to her.
                priority=Priority.REMINDER,
            )
        )

    def after_commit(self, action: Callable[[], Awaitable[object]]) -> None:
        self.turn.after_commit(action)


def reply(
    member_id: str,
    key: str,
    markup: InlineKeyboardMarkup | None,
    protect: bool,
    params: dict[str, Any],
    delete_first: Message | None = None,
    key_if_kept: str | None = None,
) -> Reply:
    """A reply as the outbox keeps it: what render() needs to write it at send time."""
    return Reply(
        member_id,
        key,
        params,
        markup.to_dict() if markup else None,
        protect,
        delete_first.message_id if delete_first is not None else None,
        key_if_kept if delete_first is not None else None,
    )
