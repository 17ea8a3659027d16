"""One attempt at an outbox row: render it, make its Bot API calls, act on the answer.

A reply may ask that her own message (it carried details, a PIN or a code word) be deleted
first: the reply then says whether it was, and it is never sent while the deletion fails
for a reason that may pass (that failure is the row's, and it is retried as a send is).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

from telegram import Bot
from telegram.error import BadRequest, TelegramError

from bot.core import contacts
from bot.core.context import Core
from bot.core.notifications import Alert, from_payload, type_of
from bot.core.records import Member, OutboxItem
from bot.delivery.answers import Action, Answer, Deletion, classify, classify_deletion
from bot.delivery.claims import Claims, Row
from bot.delivery.ledger import Ledger
from bot.delivery.pacing import Pacer
from bot.delivery.probe import Probe
from bot.delivery.settings import SenderSettings
from bot.metrics import Metrics, priority_name
from bot.telegram.buttons import seal_markup
from bot.telegram.render import Outgoing, fallback, render

log = logging.getLogger("companera.delivery")
# What Telegram answers to an edit that has nothing left to do.
EDIT_DONE = ("message to edit not found", "message is not modified", "message can't be edited")


class Attempts:
    """Sends rows one request at a time and records what Telegram answered."""

    def __init__(
        self,
        core: Core,
        bot: Bot,
        settings: SenderSettings,
        pacer: Pacer,
        claims: Claims,
        ledger: Ledger,
        probe: Probe,
        metrics: Metrics | None,
        wake: asyncio.Event,
    ) -> None:
        self._core, self._bot, self._settings = core, bot, settings
        self._pacer, self._claims, self._ledger, self._probe = pacer, claims, ledger, probe
        self._metrics = metrics
        self._wake = wake
        self.sent = 0
        self.too_many_requests = 0

    async def make(self, row: Row) -> None:
        """Send one row (its chat's pacing was already spent) and record the outcome."""
        item = row.item
        part = self._render(row)
        if part is None:
            await self._fail(item, -1)
            self._done(row)
            return
        message_id: int | None = None
        try:
            message_id = await self._deliver(part, row.to.chat_id)
        except TelegramError as error:
            answer = classify(error)
        else:
            answer = classify(None)
        await self._act(row, answer, message_id)

    def _render(self, row: Row) -> Outgoing | None:
        """The row's message. A row that cannot be rendered (a bug, a kind this version
        does not read) must not block the queue, nor be lost if it is an alert: a plain
        alert goes instead; anything else fails (None). Only its kind and the error's type
        are logged, never its content."""
        item = row.item
        try:
            part = render(from_payload(item.recipient_id, item.payload), row.to)
            # Row ids leave for Telegram only as tokens (bot/telegram/buttons.py).
            return replace(part, markup=seal_markup(part.markup, self._core.db.tokens))
        except Exception as error:
            instead = fallback(item.payload, item.priority, row.to)
            kind = str(item.payload.get("kind"))[:40]
            extra = {"kind": kind, "error": type(error).__name__, "fallback": instead is not None}
            log.error("outbox.unrenderable", extra=extra)
            return instead

    async def _act(self, row: Row, answer: Answer, message_id: int | None) -> None:
        item, to = row.item, row.to
        if answer.action is Action.PROBE:
            await self._failed_attempt(row)
            return
        if answer.action is Action.SENT:
            await self._sent(item, message_id)
        elif answer.action is Action.WAIT:
            await self._wait(item, to, answer.seconds)
        elif answer.action is Action.GONE:
            await self._undeliverable(item, to, answer.code)
        else:
            log.error("outbox.rejected", extra={"kind": item.payload["kind"]})
            await self._fail(item, answer.code)
        self._done(row, back_in_queue=answer.action is Action.WAIT)

    # -- the Bot API calls ------------------------------------------------------------------

    async def _deliver(self, part: Outgoing, chat_id: int) -> int | None:
        """Make the row's calls; the id in her chat of the message sent, None when there was
        only her message to delete, or one of the bot's to edit."""
        text = part.text
        if part.edit is not None:
            await self._edit(part, chat_id, part.edit)
            return None
        if part.delete_first is not None:
            if not await self._delete(chat_id, part.delete_first):
                text = part.text_if_kept if part.text_if_kept is not None else text
            if text is None and part.location is None:
                return None
        if part.document is not None:
            filename, content = part.document
            sent = await self._bot.send_document(
                chat_id,
                content,
                filename=filename,
                caption=text,
                reply_markup=part.markup,
                protect_content=part.protect,
            )
        elif part.location is not None:
            sent = await self._bot.send_location(
                chat_id, part.location[0], part.location[1], protect_content=part.protect
            )
        else:
            sent = await self._bot.send_message(
                chat_id, text or "", reply_markup=part.markup, protect_content=part.protect
            )
        return sent.message_id

    async def _edit(self, part: Outgoing, chat_id: int, message_id: int) -> None:
        """Rewrite a message of the bot in her chat. One she deleted, or that says this
        already, is done with; a 429 or a failure that may pass is raised, as for a send."""
        try:
            await self._bot.edit_message_text(
                part.text or "", chat_id, message_id, reply_markup=part.markup
            )
        except BadRequest as error:
            if not any(gone in error.message.lower() for gone in EDIT_DONE):
                raise

    async def _delete(self, chat_id: int, message_id: int) -> bool:
        """Delete her message: True when it is gone, False when Telegram keeps it. A 429 or
        a failure that may pass is raised, and answers for the whole row."""
        try:
            deleted = await self._bot.delete_message(chat_id, message_id)
        except TelegramError as error:
            verdict = classify_deletion(error)
            if verdict is Deletion.FAILED:
                raise
            return verdict is Deletion.DONE
        return bool(deleted)

    # -- outcomes ---------------------------------------------------------------------------

    async def _sent(self, item: OutboxItem, message_id: int | None) -> None:
        """Telegram accepted it (or there was only her message to delete)."""
        if message_id is not None:
            self.sent += 1
            self._count_sent(item)
        now = self._core.clock.now
        await self._ledger.record(
            item, lambda uow: uow.outbox.mark_sent(item.id, now(), message_id)
        )

    async def _wait(self, item: OutboxItem, to: Member, seconds: float) -> None:
        """429: her chat waits `seconds`; from several chats at once, everything does."""
        self.too_many_requests += 1
        if self._metrics:
            self._metrics.too_many_requests.inc()
        if self._pacer.too_many_requests(to.chat_id, seconds):
            log.warning("outbox.global_429", extra={"seconds": seconds})
            if self._settings.shared_pace:  # every replica holds, not only this one
                await self._ledger.record_all(lambda uow: uow.send_budget.hold(seconds))
        now = self._core.clock.now
        await self._ledger.record(item, lambda uow: uow.outbox.retry_at(item.id, now(), 429))

    async def _fail(self, item: OutboxItem, code: int) -> None:
        """Never to be sent: the person is gone, Telegram refused it, or it is too late."""
        if self._metrics:
            self._metrics.failed.inc()
        now = self._core.clock.now
        await self._ledger.record(item, lambda uow: uow.outbox.mark_failed(item.id, now(), code))

    async def _undeliverable(self, item: OutboxItem, to: Member, code: int) -> None:
        """Blocked, deleted or gone: never retried; the workers who count on her are told."""
        log.warning("outbox.undeliverable", extra={"code": code, "kind": item.payload["kind"]})
        await self._fail(item, code)
        async with self._core.unit() as work:
            await contacts.member_unreachable(work, to.id)

    async def _failed_attempt(self, row: Row) -> None:
        """A timeout or a 5xx: count the attempt, stop sending and find out what failed."""
        item = row.item
        now = self._core.clock.now
        if now() - item.created_at > self._settings.give_up_after:
            log.warning("outbox.gave_up", extra={"kind": item.payload["kind"]})
            await self._fail(item, 0)
            self._done(row)
            return
        await self._ledger.record(item, lambda uow: uow.outbox.retry_at(item.id, now(), 0))
        self._claims.suspect(row)
        self._probe.start()

    def _count_sent(self, item: OutboxItem) -> None:
        if self._metrics is None:
            return
        self._metrics.sent.labels(priority_name(item.priority)).inc()
        if type_of(str(item.payload.get("kind"))) is Alert:
            self._metrics.alerts.inc()
            delay = (self._core.clock.now() - item.created_at).total_seconds()
            self._metrics.alert_delay.observe(max(0.0, delay))

    def _done(self, row: Row, back_in_queue: bool = False) -> None:
        self._claims.done(row, back_in_queue)
        self._wake.set()
