"""`companera network create | update | link | list`: what an operator does for an
organisation, from the command line."""

from __future__ import annotations

import argparse

from telegram import Bot
from telegram.error import TelegramError

from bot.config import Settings
from bot.core.clock import SystemClock
from bot.core.context import Refused
from bot.core.network_config import ConfigInvalid, NetworkConfig, parse_config
from bot.core.networks import (
    PassCreated,
    coordinator_pass,
    create_network,
    overview,
    show_code,
    update_network,
)
from bot.i18n import t


class NetworkCommandError(Exception):
    """One line for the operator; the process exits with code 2."""


async def run_network_command(
    settings: Settings, key: bytes, args: argparse.Namespace, config_text: str | None
) -> int:
    """`args.action` on the network `args.name`; `config_text` is the YAML read from
    `args.config`, checked before the database is touched."""
    from bot.app import core_from, open_database

    config: NetworkConfig | None = None
    if config_text is not None:
        try:
            config = parse_config(config_text)
        except ConfigInvalid as error:
            raise NetworkCommandError(f"{args.config}: {error}") from None
    db = await open_database(settings, key)
    core = core_from(settings, db, SystemClock())
    try:
        if args.action == "list":
            async with core.unit() as work:
                listed = await overview(work)
            for name, members, areas in listed:
                print(f"{name}: {members} members, {areas} areas")
            return 0
        if args.action == "update":
            assert config is not None
            async with core.unit() as work:
                updated = await update_network(work, args.name, config)
            _refused(updated)
            print(f"companera: network updated: {args.name}")
            return 0
        if args.action == "create":
            assert config is not None
            async with core.unit() as work:
                created = await create_network(work, args.name, config)
        else:
            async with core.unit() as work:
                created = await coordinator_pass(work, args.name)
        _refused(created)
        assert isinstance(created, PassCreated)
        print(await coordinator_instructions(settings, created))
        return 0
    finally:
        await db.close()


def _refused(outcome: object) -> None:
    if isinstance(outcome, Refused):
        raise NetworkCommandError(t("en", outcome.reason, **outcome.params))


async def coordinator_instructions(settings: Settings, created: PassCreated) -> str:
    """The link (when Telegram tells us the bot's username) and the code, single use."""
    until = created.expires_at.astimezone().strftime("%Y-%m-%d %H:%M")
    lines = [
        f"Network: {created.network_name}",
        "Give this to the network's first coordinator. It works once, until " + until + ".",
    ]
    username = await bot_username(settings)
    if username:
        lines.append(f"  link: https://t.me/{username}?start=j_{created.code}")
    lines.append(f"  or, in the bot: /join {show_code(created.code)}")
    return "\n".join(lines)


async def bot_username(settings: Settings) -> str | None:
    if not settings.telegram_bot_token:
        return None
    try:
        bot = Bot(settings.telegram_bot_token, base_url=settings.telegram_api_url)
        async with bot:
            return bot.username
    except (TelegramError, OSError):
        return None
