"""`companera run | demo | migrate | keygen | rotate-key | purge | announce | network |
resources`."""

from __future__ import annotations

import argparse
import asyncio
import base64
import binascii
import contextlib
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from bot import logs
from bot.config import MASTER_KEY_CREDENTIAL, Settings, SettingsError, load_settings
from bot.hardening import forget_secret_variables, no_core_dumps
from storage.crypto import new_master_key_b64
from storage.database import WrongKeyError

EXIT_CONFIG = 2


class ConfigError(Exception):
    """Printed as one line; the process exits with code 2."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="companera", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="run the bot against Telegram (long polling)")
    demo = commands.add_parser("demo", help="the bot and a local Telegram emulator, in a terminal")
    demo.add_argument(
        "--script", help="read the demo's lines from this file instead of the keyboard"
    )
    demo.add_argument(
        "--network",
        metavar="FILE",
        help="a network's YAML, loaded into the demo's database first (named after the file)",
    )
    commands.add_parser("migrate", help="bring the database to the newest schema")
    commands.add_parser("keygen", help="print a new master key (base64)")
    rotate = commands.add_parser(
        "rotate-key", help="rewrap every key under a new master key (stop the bot first)"
    )
    rotate.add_argument(
        "--new-key-file",
        required=True,
        help="a file with the new key as `companera keygen` prints it, or - for stdin",
    )
    commands.add_parser("purge", help="delete, now, everything past its retention")
    announce = commands.add_parser(
        "announce", help="send a message to every member, after alerts and replies"
    )
    announce.add_argument("file", help="a UTF-8 text file with the message, or - for stdin")
    add_network_commands(commands)
    resources = commands.add_parser("resources", help="the resources shown in /help")
    check = resources.add_subparsers(dest="action", required=True).add_parser(
        "check", help="list the entries checked more than 12 months ago (exit 1 if any)"
    )
    check.add_argument("--on", metavar="YYYY-MM-DD", help="as on this day (default: today)")
    args = parser.parse_args(argv)
    no_core_dumps()
    if args.command == "keygen":
        print(new_master_key_b64())
        return 0
    try:
        if args.command == "demo":  # before any setting is read: it reads its own
            return demo_command(args)
        settings = load_settings()
        forget_secret_variables()
        if args.command == "resources":  # reads files only: no key, no database
            return resources_check(settings, args.on)
        key = require_master_key(settings)
        logs.configure(settings.log_format, [settings.telegram_bot_token or ""])
        if args.command == "migrate":
            return asyncio.run(_migrate(settings, key))
        if args.command == "rotate-key":
            new_key = read_master_key(args.new_key_file, key)
            return asyncio.run(_rotate_key(settings, key, new_key))
        if args.command == "purge":
            return asyncio.run(_purge(settings, key))
        if args.command == "announce":
            return asyncio.run(_announce(settings, key, read_text(args.file)))
        if args.command == "network":
            return network_command(settings, key, args)
        if not settings.telegram_bot_token:
            raise ConfigError("TELEGRAM_BOT_TOKEN: required for `companera run` (ask @BotFather)")
        return asyncio.run(_run(settings, key))
    except (SettingsError, ConfigError, WrongKeyError) as error:
        print(f"companera: {error}", file=sys.stderr)
        return EXIT_CONFIG


def resources_check(settings: Settings, on: str | None) -> int:
    """Print every resource entry checked more than twelve months before `on` (today), with
    its source to check it against; 1 when there is one, 0 when none."""
    from datetime import UTC, date, datetime

    from bot.core.resources import stale

    try:
        today = date.fromisoformat(on) if on else datetime.now(UTC).date()
    except ValueError:
        raise ConfigError(f"--on: {on!r} is not a date such as 2027-01-31") from None
    old = stale(settings.resources, today)
    for country, entry in old:
        print(f"{country} {entry.id}: checked {entry.checked.isoformat()}, see {entry.sources[0]}")
    print(f"companera: {len(old)} resource entries checked more than 12 months ago")
    return 1 if old else 0


def demo_command(args: argparse.Namespace) -> int:
    from bot.demo import DemoError, run_demo

    try:
        return asyncio.run(run_demo(args.script, args.network))
    except DemoError as error:
        raise ConfigError(str(error)) from None


def add_network_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    network = commands.add_parser("network", help="peer networks run by organisations")
    actions = network.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="a new network; prints a coordinator's link")
    create.add_argument("name")
    create.add_argument("--config", required=True, help="the network's YAML file")
    update = actions.add_parser("update", help="new areas, rules or resources for a network")
    update.add_argument("name")
    update.add_argument("--config", required=True, help="the network's YAML file")
    link = actions.add_parser("link", help="another single-use coordinator's link")
    link.add_argument("name")
    actions.add_parser("list", help="the networks, with members and areas")


def network_command(settings: Settings, key: bytes, args: argparse.Namespace) -> int:
    from bot.network_cli import NetworkCommandError, run_network_command

    path = getattr(args, "config", None)
    config_text = read_text(path) if path else None
    try:
        return asyncio.run(run_network_command(settings, key, args, config_text))
    except NetworkCommandError as error:
        raise ConfigError(str(error)) from None


def require_master_key(settings: Settings) -> bytes:
    key = settings.master_key_bytes
    if key is None:
        raise ConfigError(
            "the master key is required: COMPANERA_MASTER_KEY_FILE names its file (or the "
            f"service has the credential {MASTER_KEY_CREDENTIAL}); make one with "
            "`companera keygen` (COMPANERA_MASTER_KEY is read too, but is not the safe way)"
        )
    return key


async def _migrate(settings: Settings, key: bytes) -> int:
    from bot.app import open_database

    db = await open_database(settings, key)
    await db.close()
    print("companera: database is up to date")
    return 0


def read_master_key(path: str, current: bytes) -> bytes:
    """The new master key from a file: base64 of 32 bytes, whitespace allowed."""
    encoded = "".join(read_text(path).split())
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise ConfigError(f"{path}: not a master key (make one with `companera keygen`)")
    if key == current:
        raise ConfigError(f"{path}: this is the current master key")
    return key


async def _rotate_key(settings: Settings, key: bytes, new_key: bytes) -> int:
    from storage.database import make_engine
    from storage.migrate import upgrade
    from storage.rotation import RotationRefused, rotate_master_key

    if settings.sqlalchemy_url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.sqlalchemy_url)
    try:
        await upgrade(engine, master_key=key)
        report = await rotate_master_key(engine, key, new_key)
    except RotationRefused as error:
        raise ConfigError(str(error)) from None
    finally:
        await engine.dispose()
    print(
        "companera: master key rotated. Keys rewrapped under the new key: "
        f"system {report.system_keys}, members {report.members}, networks {report.networks}.\n"
        "The old key opens nothing in this database any more: the bot will not start with it.\n"
        "Next:\n"
        "  1. Put the new key where the bot reads its key (the file of\n"
        "     COMPANERA_MASTER_KEY_FILE, or its systemd credential) in place of the old one.\n"
        "     Keep a copy of it away from the database and its backups, then delete the new\n"
        "     key's file.\n"
        "  2. Start the bot and check that it answers /start.\n"
        "  3. Make a new backup. Backups made before now open only with the old key: destroy\n"
        "     them with the old key, or keep the old key (away from them) as long as they are\n"
        "     kept."
    )
    return 0


async def _purge(settings: Settings, key: bytes) -> int:
    """Every row of the retention table, once; the running bot does the same on its own."""
    from datetime import timedelta

    from bot.app import core_from, open_database
    from bot.core.clock import SystemClock
    from bot.core.housekeeping import purge_everything

    db = await open_database(settings, key)
    try:
        core = core_from(settings, db, SystemClock())
        gone = await purge_everything(
            core,
            timedelta(seconds=settings.outbox_sent_ttl_seconds),
            timedelta(seconds=settings.outbox_failed_ttl_seconds),
        )
    finally:
        await db.close()
    print("companera: purged " + ", ".join(f"{what} {n}" for what, n in gone.items()))
    return 0


def read_text(path: str) -> str:
    try:
        raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
        return raw.decode("utf-8")
    except OSError as error:
        raise ConfigError(f"{path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None


async def _announce(settings: Settings, key: bytes, text: str) -> int:
    """Queue the announcement; the running bot sends it (it looks at the outbox every few
    seconds)."""
    from bot.app import core_from, open_database
    from bot.core.announcements import announce, check
    from bot.core.clock import SystemClock
    from bot.core.context import Refused
    from bot.i18n import t

    refused = check(text)  # before touching the database
    if refused is not None:
        raise ConfigError(t("en", refused.reason, **refused.params))
    db = await open_database(settings, key)
    try:
        queued = await announce(core_from(settings, db, SystemClock()), text)
    finally:
        await db.close()
    if isinstance(queued, Refused):
        raise ConfigError(t("en", queued.reason, **queued.params))
    print(f"companera: announcement queued for {queued} members")
    return 0


async def _run(settings: Settings, key: bytes) -> int:
    from bot.app import Companera

    bot = Companera(settings, key)
    await bot.start()
    signalled = asyncio.create_task(wait_for_signal())
    broken = asyncio.create_task(bot.broken())
    await asyncio.wait({signalled, broken}, return_when=asyncio.FIRST_COMPLETED)
    signalled.cancel()
    broken.cancel()
    await bot.stop()
    # A loop that died is a process to restart (systemd's Restart=, Docker's restart:).
    return 1 if broken.done() and not broken.cancelled() else 0


async def wait_for_signal() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()


if __name__ == "__main__":
    sys.exit(main())
