"""Every log line a test produced, as an operator would read it, searched for the secrets the
test used: what emulated users typed, their ids, names, numbers and places, the bot token."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from bot import logs
from bot.emulator import EmulatedUser, Emulator

COMMAND = re.compile(r"^/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?\s*")
SHORTEST = 6  # shorter texts ("Sí", "/help", "1h") are too common to mean anything
DISTINCT = 8  # secrets shorter than this must stand alone (a name, an id), not inside a word


class LogCapture(logging.Handler):
    """Each record as production renders it, in JSON and in text mode."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.protect([])

    def protect(self, secrets: list[str]) -> None:
        """Redact these as production redacts the bot token."""
        self._modes = [logs.formatter(mode, secrets) for mode in ("json", "text")]

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.extend(mode.format(record) for mode in self._modes)

    def json_entries(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.lines if line.startswith("{")]


class LogScan:
    """The capture of one test and what it must not contain."""

    def __init__(self) -> None:
        self.capture = LogCapture()
        self.emulators: list[Emulator] = []
        self.moved: list[tuple[float, float]] = []  # live locations edited by a user

    def secrets(self) -> list[str]:
        found: list[str] = []
        for emulator in self.emulators:
            found.append(emulator.token)
            for user in emulator.users():
                found.extend(secrets_of(user))
        for latitude, longitude in self.moved:
            found.extend(coordinates(latitude, longitude))
        return list(dict.fromkeys(found))

    def leaks(self) -> list[tuple[str, str]]:
        return leaks(self.capture.lines, self.secrets())


def secrets_of(user: EmulatedUser) -> list[str]:
    """Her Telegram id and name, and what she sent: texts (after a leading /command), the
    phone numbers of contact cards, the coordinates of locations."""
    found = [str(user.id), user.name, user.first_name]
    for message in user.user_messages:
        found.extend(pieces(COMMAND.sub("", message.get("text") or "").strip()))
        if "contact" in message:
            phone = message["contact"]["phone_number"]
            found.extend([phone, re.sub(r"\D", "", phone)])
        if "location" in message:
            found.extend(coordinates(**message["location"]))
    return found


def pieces(text: str) -> list[str]:
    """A text she typed, and the parts of it a leak might show alone: all but its first word
    ("1h Hotel Real" of a /checkin), its long words, a phone number's digits."""
    if len(text) < SHORTEST:
        return []
    found = [text, text.split(maxsplit=1)[-1]]
    found.extend(word for word in re.findall(r"\w[\w-]*", text) if len(word) >= DISTINCT)
    digits = re.sub(r"\D", "", text)
    if len(digits) >= DISTINCT and re.fullmatch(r"[\d\s()+.-]+", text):
        found.append(digits)
    return [piece for piece in found if len(piece) >= SHORTEST]


def coordinates(latitude: float, longitude: float, **_: object) -> list[str]:
    """A place as it would be printed, without its sign; 0.0 or 19.4 would match anything."""
    shown = [str(abs(latitude)), str(abs(longitude))]
    return [value for value in shown if len(value) >= 5]


def leaks(lines: Iterable[str], secrets: Iterable[str]) -> list[tuple[str, str]]:
    """(secret, line) for every secret found in a line, as typed or JSON-escaped."""
    patterns = [(secret, _pattern(secret)) for secret in secrets if secret]
    return [
        (secret, line) for line in lines for secret, pattern in patterns if pattern.search(line)
    ]


def _pattern(secret: str) -> re.Pattern[str]:
    forms = {secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}
    alternatives = "|".join(re.escape(form) for form in sorted(forms))
    if len(secret) >= DISTINCT:
        return re.compile(alternatives)
    return re.compile(rf"(?<![A-Za-z0-9])(?:{alternatives})(?![A-Za-z0-9])")


def describe(found: list[tuple[str, str]]) -> str:
    shown = "\n".join(f"  {secret!r} in: {line}" for secret, line in found[:20])
    return f"{len(found)} times a secret the test used is in a log line:\n{shown}"


@contextmanager
def scanning(monkeypatch: pytest.MonkeyPatch) -> Iterator[LogScan]:
    """Capture every record at DEBUG, with production's library levels and formatter, and
    remember every emulator started meanwhile (its token, its users)."""
    scan = LogScan()
    start, edit = Emulator.start, EmulatedUser.edit_live_location

    async def recording_start(emulator: Emulator, *args: Any, **kwargs: Any) -> None:
        scan.emulators.append(emulator)
        scan.capture.protect([e.token for e in scan.emulators])
        await start(emulator, *args, **kwargs)

    async def recording_edit(
        user: EmulatedUser, message: dict[str, Any], latitude: float, longitude: float
    ) -> dict[str, Any]:
        scan.moved.append((latitude, longitude))
        return await edit(user, message, latitude, longitude)

    monkeypatch.setattr(Emulator, "start", recording_start)
    monkeypatch.setattr(EmulatedUser, "edit_live_location", recording_edit)
    root = logging.getLogger()
    level = root.level
    root.addHandler(scan.capture)
    root.setLevel(logging.DEBUG)
    logs.quiet_libraries()
    try:
        yield scan
    finally:
        root.removeHandler(scan.capture)
        root.setLevel(level)
