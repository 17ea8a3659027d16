"""Builds the python-telegram-bot Application from the feature modules."""

from __future__ import annotations

import logging

from telegram import BotCommand
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, Defaults

from bot.core.context import Core
from bot.i18n import languages, t
from bot.telegram import (
    checkins,
    contacts,
    messages,
    networks,
    privacy,
    safety,
    start,
    warn_form,
    warnings,
)
from bot.telegram.errors import on_error

log = logging.getLogger("companera.telegram")
COMMANDS = (
    "checkin",
    "safe",
    "extend",
    "sos",
    "codeword",
    "pin",
    "invite",
    "contacts",
    "warn",
    "check",
    "areas",
    "join",
    "network",
    "language",
    "timezone",
    "privacy",
    "discreet",
    "clean",
    "forget",
    "help",
)


def build_application(token: str, base_url: str, core: Core) -> Application:
    """The Application with every handler; updates are handled one at a time, in order."""
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        .defaults(Defaults(block=True))
        .concurrent_updates(False)
        .build()
    )
    application.bot_data["core"] = core
    # One group: the first handler that matches wins, so the catch-alls go last.
    for module in (
        start,
        contacts,
        checkins,
        safety,
        networks,
        warn_form,
        warnings,
        privacy,
        messages,
    ):
        application.add_handlers(module.handlers())
    application.add_error_handler(on_error)
    return application


async def publish_commands(application: Application) -> None:
    """The command menu in each language; optional, so a failure is logged and forgotten."""
    try:
        for language in languages():
            commands = [BotCommand(c, t(language, f"command.{c}")) for c in COMMANDS]
            await application.bot.set_my_commands(
                commands, language_code=None if language == "es" else language
            )
    except TelegramError:
        log.warning("startup.commands_not_published")
