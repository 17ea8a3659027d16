"""`companera demo`: the emulator and the bot in one process, and a terminal in which you
type as several people. No token, no server; a demo key is made under the data dir.

Everything the demo keeps is under `<data dir>/demo/`: its key, its SQLite database, its log
and `people.json`, the names typed so far in the order they were first typed. Each run
makes those people again in that order, so each gets the same emulated Telegram id and
chat as before, and the bot recognises her: eva stays eva, with her contacts and settings.

The demo never touches a database or a key it did not make: of the environment it reads
only COMPANERA_DATA_DIR and CHECKIN_GRACE_SECONDS. A production DATABASE_URL, master key
(or its file, or systemd credential), token or webhook, even in an env file, is ignored,
and it says so in one line.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import math
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from pydantic import ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot import logs
from bot.app import Companera
from bot.config import Settings
from bot.core.network_config import ConfigInvalid, NetworkConfig, parse_config
from bot.core.networks import PassCreated, coordinator_pass, create_network, update_network
from bot.emulator import EmulatedUser, Emulator, SentMessage
from storage.crypto import new_master_key_b64
from storage.models import OutboxRow

HELP = """Type as a person:   ana> /start        luz> hola        @luz /start <token>
                    (<token> stands for the newest invitation link's token)
Press a button:     ana> press 2        (buttons of her newest message, numbered)
Share a location:   ana> location 19.43 -99.13
Join the network:   ana> /join <code>   (with --network FILE: its newest coordinator code)
Show a chat again:  ana> show           Quit: quit (or Ctrl-D)"""
HINT = "  (type a person, '>' and what she sends, as in: ana> /start; 'help' shows all)"
LOCATION_HINT = "  (a location is two numbers: location 19.43 -99.13)"
PRESS_HINT = "  (press a button by its number: press 1)"
SETTLE_TIMEOUT = 15.0  # seconds a script line may keep the bot busy before the next goes
DEMO_GRACE_SECONDS = 30
# What a production set-up may have in the environment, and the demo leaves alone.
IGNORED = (
    "DATABASE_URL",
    "COMPANERA_MASTER_KEY",
    "COMPANERA_MASTER_KEY_FILE",
    "CREDENTIALS_DIRECTORY",
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_API_URL",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
)


class DemoError(Exception):
    """One line for the person running the demo; the demo does not start."""


class DemoSettings(Settings):
    """Settings from what the demo passes, and nothing else: no environment variable, no
    env file, no secrets directory."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def demo_place() -> tuple[Path, int]:
    """Where the demo keeps its files, and its grace: the only two things it reads from the
    environment. Any production setting is dropped from this process's environment first,
    so that nothing started later reads it either."""
    ignored = [name for name in IGNORED if os.environ.pop(name, None)]
    if ignored:
        print(
            f"The demo ignores {', '.join(ignored)}: it uses only its own database and key, "
            "under <data dir>/demo/."
        )
    values: dict[str, object] = {"CHECKIN_GRACE_SECONDS": DEMO_GRACE_SECONDS}
    for name in ("COMPANERA_DATA_DIR", "CHECKIN_GRACE_SECONDS"):
        if os.environ.get(name):
            values[name] = os.environ[name]
    try:
        settings = DemoSettings(**values)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        raise DemoError(f"{first['loc'][0] if first['loc'] else ''}: {first['msg']}") from None
    return settings.data_dir, settings.checkin_grace_seconds


def demo_dir(data_dir: Path) -> Path:
    return data_dir / "demo"


def demo_key(here: Path) -> bytes:
    """The demo's own key, kept in its folder, made once."""
    path = here / "master.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(new_master_key_b64())
        path.chmod(0o600)
        print(f"Made a demo master key in {path} (for the demo only).")
    return base64.b64decode(path.read_text().strip())


def demo_settings(here: Path, grace: int, api_url: str, token: str) -> Settings:
    """The bot's settings: the emulator, the demo's own SQLite file, defaults otherwise."""
    return DemoSettings(
        TELEGRAM_API_URL=api_url,
        TELEGRAM_BOT_TOKEN=token,
        DATABASE_URL=f"sqlite:///{(here / 'demo.db').resolve()}",
        COMPANERA_DATA_DIR=here.parent,
        CHECKIN_GRACE_SECONDS=grace,
    )


def log_to_file(path: Path) -> None:
    """Every log line (the bot's, the migrations', the libraries') into `path`, as the bot
    writes them, so that the terminal shows only the chats."""
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logs.formatter("text"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    logs.quiet_libraries()


def read_network(path: str) -> tuple[str, NetworkConfig]:
    """The network in the YAML file `path`, checked, and its name: the file's
    (casa_prueba.yaml -> Casa Prueba); DemoError says what to fix before anything starts."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DemoError(f"{path}: cannot read it ({type(error).__name__})") from None
    try:
        config = parse_config(text)
    except ConfigInvalid as error:
        raise DemoError(f"{path}: {error}") from None
    words = Path(path).stem.replace("_", " ").replace("-", " ").replace(".", " ")
    name = " ".join(words.split()).title()
    return name or "Demo", config


async def load_network(bot: Companera, name: str, config: NetworkConfig) -> str:
    """The network made in the demo's database (or updated, when an earlier run made it):
    a new single-use code for its first coordinator."""
    async with bot.core.unit() as work:
        created = await create_network(work, name, config)
        if not isinstance(created, PassCreated):  # made by an earlier run: take this file
            await update_network(work, name, config)
            created = await coordinator_pass(work, name)
    if not isinstance(created, PassCreated):
        raise DemoError(f"the network {name} could not be made ({created.reason})")
    return created.code


async def run_demo(script: str | None = None, network: str | None = None) -> int:
    data_dir, grace = demo_place()
    wanted = read_network(network) if network is not None else None
    here = demo_dir(data_dir)
    here.mkdir(parents=True, exist_ok=True)
    key = demo_key(here)
    log = here / "companera.log"
    log_to_file(log)
    people = People(here / "people.json")
    async with Emulator() as emulator:
        # The bot skips an update id it has handled before (a retry): each run's ids must
        # go on from the last run's, as Telegram's do, or she would be ignored. Milliseconds
        # of the clock only grow, faster than anyone types.
        emulator.updates._next_id = int(time.time() * 1000)
        local = demo_settings(here, grace, emulator.base_url, emulator.token)
        bot = Companera(local, key, poll_timeout=1)
        await bot.start()
        terminal = Terminal(emulator, people, Settle(emulator, bot, local.sqlalchemy_url))
        try:
            print(f"Compañera demo: bot @{emulator.bot_username} on a local emulator.")
            print(f"Its log goes to {log}; its database and key are in {here}.")
            if people.names:
                print(
                    f"People from earlier runs keep their chats: {', '.join(people.names)} "
                    f"(delete {here} to start afresh)."
                )
            if wanted is not None:
                name, config = wanted
                terminal.code = await load_network(bot, name, config)
                print(
                    f"Network «{name}» loaded from {network}; to coordinate it: ana> /join <code>"
                )
            print(f"Grace after a deadline: {local.checkin_grace_seconds} s.\n{HELP}")
            await terminal.loop(script)
        finally:
            await terminal.close()
            await bot.stop()
    return 0


class People:
    """The names typed in the demo, in the order they were first typed, kept across runs."""

    def __init__(self, path: Path) -> None:
        self._path = path
        try:
            names = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            names = []
        self.names: list[str] = (
            [n for n in names if isinstance(n, str)] if isinstance(names, list) else []
        )

    def user(self, emulator: Emulator, name: str) -> EmulatedUser:
        """`name`'s emulated user: everyone known is made first, in their order, so that the
        emulator gives each the same id as in earlier runs."""
        if name not in self.names:
            self.names.append(name)
            self._path.write_text(json.dumps(self.names), encoding="utf-8")
        for known in self.names:
            emulator.user(known)
        return emulator.user(name)


class Settle:
    """Waits until the bot has done what a line asked: the emulator holds no update for it
    and no message may go now, twice in a row; not a fixed pause."""

    def __init__(self, emulator: Emulator, bot: Companera, url: str) -> None:
        self._emulator = emulator
        self._bot = bot
        self._engine: AsyncEngine = create_async_engine(url)

    async def busy(self) -> bool:
        if self._emulator.updates.pending:
            return True
        queue = getattr(self._bot.application, "update_queue", None)
        if int(getattr(queue, "_unfinished_tasks", 0)):
            return True
        async with self._engine.connect() as connection:
            waiting = await connection.scalar(
                select(func.count())
                .select_from(OutboxRow)
                .where(OutboxRow.status == "pending", OutboxRow.not_before <= datetime.now(UTC))
            )
        return bool(waiting)

    async def wait(self, timeout: float = SETTLE_TIMEOUT) -> None:
        quiet, give_up = 0, time.monotonic() + timeout
        while quiet < 2 and time.monotonic() < give_up:
            quiet = 0 if await self.busy() else quiet + 1
            await asyncio.sleep(0.05)

    async def close(self) -> None:
        await self._engine.dispose()


class Terminal:
    def __init__(self, emulator: Emulator, people: People, settle: Settle) -> None:
        self._emulator = emulator
        self._people = people
        self._settle = settle
        self._shown: dict[str, int] = {}
        self._last_token = ""
        self.code = ""  # the coordinator code of the network loaded with --network
        self._watch = asyncio.create_task(self._print_new_forever())

    async def loop(self, script: str | None) -> None:
        lines = Path(script).read_text().splitlines() if script else None
        while True:
            line = (lines.pop(0) if lines else None) if lines is not None else await _read_line()
            if line is None or line.strip() in ("quit", "exit"):
                break
            if lines is not None and not line.strip():
                continue  # a blank line in a script only separates
            try:
                await self.handle(line.strip())
            except Exception as error:  # a mistyped line must not end the demo
                print(f"  (that line did not work: {type(error).__name__}; 'help' shows how)")
            await self._settle.wait()
            self._print_new()  # what this line brought, before the next line's hints
        self._print_new()

    async def close(self) -> None:
        self._watch.cancel()
        await self._settle.close()

    async def handle(self, line: str) -> None:
        if line.startswith("#"):
            return
        if line in ("help", "?"):
            print(HELP)
            return
        line = line.replace("<token>", self._last_token)
        name, text = _split_person(line.replace("<code>", self.code or "<code>"))
        if name is None or not text:
            print(HINT)
            return
        user = self._people.user(self._emulator, name)
        if text == "show":
            for message in user.inbox():
                _print_message(name, message)
        elif text == "press" or text.startswith("press "):
            await _press(user, text.removeprefix("press").strip())
        elif text == "location" or text.startswith("location "):
            point = _point(text.removeprefix("location"))
            if point is None:
                print(LOCATION_HINT)
                return
            await user.send_location(*point)
        else:
            await user.send(text)

    def _print_new(self) -> None:
        for name in list(self._emulator_users()):
            user = self._emulator.user(name)
            inbox = user.inbox()
            for message in inbox[self._shown.get(name, 0) :]:
                _print_message(name, message)
                if message.text and "?start=" in message.text:
                    self._last_token = message.text.rsplit("?start=", 1)[1].split()[0]
            self._shown[name] = len(inbox)

    def _emulator_users(self) -> list[str]:
        return [u.name for u in self._emulator.users()]

    async def _print_new_forever(self) -> None:
        while True:
            self._print_new()
            await asyncio.sleep(0.2)


def _split_person(line: str) -> tuple[str | None, str]:
    if line.startswith("@"):
        name, _, text = line[1:].partition(" ")
        return name.lower() or None, text.strip()
    name, sep, text = line.partition(">")
    if not sep or not name.strip().isidentifier():
        return None, ""
    return name.strip().lower(), text.strip()


async def _press(user: EmulatedUser, which: str) -> None:
    with_buttons = [m for m in user.inbox() if m.buttons() and not m.deleted]
    if not with_buttons:
        print(f"  ({user.name} has no buttons to press)")
        return
    message = with_buttons[-1]
    buttons = message.buttons()
    if not which:
        print(PRESS_HINT)
        return
    index = int(which) - 1 if which.isdigit() else -1
    if not 0 <= index < len(buttons):
        print(f"  (choose 1 to {len(buttons)})")
        return
    await user.press(message, buttons[index])


def _point(text: str) -> tuple[float, float] | None:
    """Latitude and longitude, as two numbers on Earth; None for anything else."""
    parts = text.replace(",", " ").split()
    if len(parts) != 2:
        return None
    try:
        latitude, longitude = float(parts[0]), float(parts[1])
    except ValueError:
        return None
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return latitude, longitude


def _print_message(name: str, message: SentMessage) -> None:
    body = message.text or (f"📍 {message.location}" if message.location else "")
    if message.deleted:
        body = "(deleted) " + body
    print(f"\n→ {name}: " + body.replace("\n", "\n  "))
    for number, text in enumerate(message.buttons(), start=1):
        print(f"    [{number}] {text}")


async def _read_line() -> str | None:
    try:
        return await asyncio.to_thread(input, "")
    except EOFError:
        return None
    finally:
        sys.stdout.flush()
