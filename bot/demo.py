"""`companera demo`: the emulator and the bot in one process, and a terminal in which you
type as several people. No token, no server; a demo key is made under the data dir."""

from __future__ import annotations

import asyncio
import base64
import os
import sys
from pathlib import Path

from bot import logs
from bot.app import Companera
from bot.config import Settings
from bot.emulator import EmulatedUser, Emulator, SentMessage
from storage.crypto import new_master_key_b64

HELP = """Type as a person:   ana> /start        luz> hola        @luz /start <token>
                    (<token> stands for the newest invitation link's token)
Press a button:     ana> press 2        (buttons of her newest message, numbered)
Share a location:   ana> location 19.43 -99.13
Show a chat again:  ana> show           Quit: quit (or Ctrl-D)"""


def demo_key(settings: Settings) -> bytes:
    """COMPANERA_MASTER_KEY if set; else a key kept in the data dir, made once."""
    if settings.master_key_bytes:
        return settings.master_key_bytes
    path = settings.data_dir / "demo" / "master.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(new_master_key_b64())
        path.chmod(0o600)
        print(f"Made a demo master key in {path} (for the demo only).")
    return base64.b64decode(path.read_text().strip())


def demo_settings(settings: Settings, api_url: str, token: str) -> Settings:
    overrides: dict[str, object] = {"TELEGRAM_API_URL": api_url, "TELEGRAM_BOT_TOKEN": token}
    if not settings.database_url:
        overrides["DATABASE_URL"] = (
            f"sqlite:///{(settings.data_dir / 'demo' / 'demo.db').resolve()}"
        )
    if "CHECKIN_GRACE_SECONDS" not in os.environ:
        overrides["CHECKIN_GRACE_SECONDS"] = 30
    return Settings(**{**_env_view(settings), **overrides})  # type: ignore[arg-type]


def _env_view(settings: Settings) -> dict[str, object]:
    return {
        field.alias or name: getattr(settings, name)
        for name, field in Settings.model_fields.items()
        if getattr(settings, name) is not None
    }


async def run_demo(settings: Settings, script: str | None = None) -> int:
    key = demo_key(settings)
    logs.configure("text")
    async with Emulator() as emulator:
        local = demo_settings(settings, emulator.base_url, emulator.token)
        (settings.data_dir / "demo").mkdir(parents=True, exist_ok=True)
        bot = Companera(local, key, poll_timeout=1)
        await bot.start()
        print(f"Compañera demo: bot @{emulator.bot_username} on a local emulator.")
        print(f"Grace after a deadline: {local.checkin_grace_seconds} s.\n{HELP}")
        try:
            await Terminal(emulator).loop(script)
        finally:
            await bot.stop()
    return 0


class Terminal:
    def __init__(self, emulator: Emulator) -> None:
        self._emulator = emulator
        self._shown: dict[str, int] = {}
        self._last_token = ""
        self._watch = asyncio.create_task(self._print_new_forever())

    async def loop(self, script: str | None) -> None:
        lines = Path(script).read_text().splitlines() if script else None
        while True:
            line = (lines.pop(0) if lines else None) if lines is not None else await _read_line()
            if line is None or line.strip() in ("quit", "exit"):
                break
            await self.handle(line.strip())
            await asyncio.sleep(0.8 if lines is not None else 0.3)
        await asyncio.sleep(1.0)
        self._print_new()
        self._watch.cancel()

    async def handle(self, line: str) -> None:
        if not line or line.startswith("#"):
            return
        name, text = _split_person(line.replace("<token>", self._last_token))
        if name is None:
            print(HELP)
            return
        user = self._emulator.user(name)
        if text == "show":
            for message in user.inbox():
                _print_message(name, message)
        elif text.startswith("press "):
            await _press(user, text.removeprefix("press ").strip())
        elif text.startswith("location "):
            lat, _, lon = text.removeprefix("location ").partition(" ")
            await user.send_location(float(lat), float(lon))
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
    index = int(which) - 1 if which.isdigit() else -1
    if not 0 <= index < len(buttons):
        print(f"  (choose 1 to {len(buttons)})")
        return
    await user.press(message, buttons[index])


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
