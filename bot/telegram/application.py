"""Builds the python-telegram-bot Application from the feature modules, and handles each
update as one unit of work: opened before the first handler, committed once after the
last, recorded by update id in the same transaction so that a redelivered update is
answered once."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ContextTypes,
    Defaults,
    ExtBot,
    TypeHandler,
)

from bot.core.context import Core
from bot.i18n import languages
from bot.telegram import (
    checkins,
    contacts,
    done_words,
    drills,
    messages,
    networks,
    privacy,
    private_record,
    safety,
    shifts,
    start,
    support,
    warn_form,
    warnings,
)
from bot.telegram.commands import default_menus
from bot.telegram.context import Turn, UpdateContext, reply
from bot.telegram.errors import on_error
from bot.telegram.people import KeyedLocks
from storage.database import Database, is_transient

log = logging.getLogger("companera.telegram")
PERSON_LOCK = "update-lock"  # its own label: unrelated to the members' stored index
HANDLED, DUPLICATE = "handled", "duplicate"


class UpdateFailed(Exception):
    """The database failed under an update: nothing of it was kept; handle it again later
    (polling does not acknowledge it, the webhook answers 503)."""


class BotApplication(Application[ExtBot[None], UpdateContext, Any, Any, Any, Any]):
    """An Application whose updates are each one unit of work and one commit."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._turns: dict[int, Turn] = {}
        self._people = KeyedLocks()

    @property
    def core(self) -> Core[Database]:
        """The core over storage's database: the update lock needs its keyring."""
        core: Core[Database] = self.bot_data["core"]
        return core

    def turn_of(self, update: object) -> Turn:
        return self._turns[id(update)]

    async def process_update(self, update: object) -> None:
        if isinstance(update, Update):
            await self.handle(update)
        else:
            await super().process_update(update)

    async def handle(self, update: Update) -> str:
        """Handle one update in one transaction; DUPLICATE when it was handled already.
        Raises UpdateFailed when the database failed under it: nothing of it is kept."""
        user = update.effective_user
        person = self._person_key(user.id) if user else None
        async with self._people.hold(person):
            try:
                return await self._handle(update, person)
            except UpdateFailed:
                raise
            except Exception as error:
                if is_transient(error):
                    raise UpdateFailed from error
                raise

    async def _handle(self, update: Update, person: int | None) -> str:
        core = self.core
        async with core.work() as work:
            if not await work.updates.begin(update.update_id, person, core.clock.now()):
                return DUPLICATE
            turn = Turn(work)
            self._turns[id(update)] = turn
            try:
                await super().process_update(update)
            finally:
                del self._turns[id(update)]
            if turn.error is not None:
                await self._after_failure(update, person, turn)
            if update.callback_query is not None:
                turn.after_commit(update.callback_query.answer)  # stop the button's spinner
            await turn.finish()
        return HANDLED

    async def _after_failure(self, update: Update, person: int | None, turn: Turn) -> None:
        """A handler failed: keep nothing it did, record the update as handled (the same
        bug would fail it again), and tell her kindly."""
        if turn.error is not None and is_transient(turn.error):
            raise UpdateFailed from turn.error
        await turn.work.rollback()
        turn.forget_changes()
        await turn.work.updates.begin(update.update_id, person, self.core.clock.now())
        member = await turn.identify(update)
        if member is not None:
            turn.queue(reply(member.id, "error.generic", None, False, {}))

    def _person_key(self, user_id: int) -> int:
        """A signed 64-bit lock key from a blind index of her Telegram id: PostgreSQL's lock
        table shows no id."""
        index = self.core.db.keyring.blind_index(PERSON_LOCK, str(user_id))
        return int.from_bytes(index[:8], "big", signed=True)


async def prepare(update: Update, context: UpdateContext) -> None:
    """Group -1: identify the member once, in the update's unit of work."""
    await context.turn.identify(update)


def build_application(token: str, base_url: str, core: Core) -> BotApplication:
    """The Application with every handler, and no Updater: bot/polling.py (or the webhook)
    hands it updates and acknowledges them only once committed."""
    application = (
        ApplicationBuilder()
        .application_class(BotApplication)
        .context_types(ContextTypes(context=UpdateContext))
        .token(token)
        .base_url(base_url)
        .defaults(Defaults(block=True))
        .concurrent_updates(False)
        .updater(None)
        .build()
    )
    assert isinstance(application, BotApplication)
    application.bot_data["core"] = core
    application.add_handler(TypeHandler(Update, prepare), group=-1)
    # One group: the first handler that matches wins, so the catch-alls go last.
    for module in (
        start,
        contacts,
        shifts,
        checkins,
        done_words,
        safety,
        drills,
        networks,
        support,
        warn_form,
        warnings,
        private_record,
        privacy,
        messages,
    ):
        application.add_handlers(module.handlers())
    application.add_error_handler(on_error)
    return application


async def publish_commands(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """The command menu in each language (bot/telegram/commands.py); optional, so a
    failure is logged and forgotten."""
    try:
        for language, commands in default_menus(languages()):
            await application.bot.set_my_commands(commands, language_code=language)
    except TelegramError:
        log.warning("startup.commands_not_published")
