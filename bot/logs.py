"""Logging that carries event names, pseudonymous ids and durations only, never what members
typed: one structured line per record, JSON in production."""

from __future__ import annotations

import json
import logging
import re
import sys
import traceback
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

QUIET = (
    "httpx",
    "httpcore",
    "telegram",
    "apscheduler",
    "aiosqlite",
    "asyncio",
    "alembic.runtime.plugins",  # a line per plugin on every start, in newer Alembic
    "uvicorn",  # its access log names the path and the client; its errors, the request
)

# Whose messages are shown with their arguments: ours are event names with safe values.
# Everyone else's show only their template, up to where a value would begin.
OWN = ("companera", "alembic")
_VALUE_STARTS = re.compile(r"[\n<(\[{'\"]")
_OURS = tuple(str(Path(__file__).parents[1] / package) for package in ("bot", "storage"))
_STANDARD = frozenset(
    [*logging.LogRecord("", 0, "", 0, "", None, None).__dict__, "message", "asctime", "taskName"]
)


def places(tb: TracebackType | None) -> dict[str, str]:
    """Where an exception was raised (`at`) and, when that is inside a library, the last
    line of our own code it passed (`via`): file and line, enough to debug, nothing typed."""
    frames = traceback.extract_tb(tb) if tb else []
    if not frames:
        return {"at": "?"}
    shown = {"at": _place(frames[-1])}
    ours = [frame for frame in frames if frame.filename.startswith(_OURS)]
    if ours and ours[-1] is not frames[-1]:
        shown["via"] = _place(ours[-1])
    return shown


def _place(frame: traceback.FrameSummary) -> str:
    return f"{Path(frame.filename).name}:{frame.lineno}"


def event_of(record: logging.LogRecord) -> str:
    """The record's event: our own messages in full, a library's template cut short."""
    if not isinstance(record.msg, str):
        return type(record.msg).__name__  # an object's str() may carry anything
    if record.name.split(".", 1)[0] in OWN:
        return record.getMessage()
    # Libraries log raw updates, exception texts and reprs of their arguments.
    return _VALUE_STARTS.split(record.msg, 1)[0].strip(" :,;-") or "library.message"


def fields_of(record: logging.LogRecord) -> dict[str, Any]:
    """Everything a line shows: level, logger, event, every `extra` the call passed, and an
    exception as its type and place only (its message can carry parameters)."""
    fields: dict[str, Any] = {
        "level": record.levelname,
        "logger": record.name,
        "event": event_of(record),
    }
    for key, value in record.__dict__.items():
        if key not in _STANDARD and not key.startswith("_"):
            fields[key] = value
    if record.exc_info and record.exc_info[0] is not None:
        fields["error"] = record.exc_info[0].__name__
        fields.update(places(record.exc_info[2]))
    return fields


class Structured(logging.Formatter):
    """One line per record, JSON or `key=value` text; secrets (the bot token) redacted."""

    def __init__(self, log_format: str = "text", secrets: list[str] | None = None) -> None:
        super().__init__()
        self.json = log_format == "json"
        self._secrets = [s for s in secrets or [] if s]

    def format(self, record: logging.LogRecord) -> str:
        fields = fields_of(record)
        if self.json:
            stamp = datetime.fromtimestamp(record.created, UTC)
            entry = {"time": stamp.isoformat(timespec="milliseconds"), **fields}
            line = json.dumps(entry, ensure_ascii=False, default=str)
        else:
            head = [self.formatTime(record), fields.pop("level"), fields.pop("logger")]
            head.append(fields.pop("event"))
            line = " ".join(head + [f"{key}={_text(value)}" for key, value in fields.items()])
        for secret in self._secrets:
            line = line.replace(secret, "<redacted>")
        return line


def _text(value: object) -> str:
    """A value as `key=value` shows it: quoted when it has spaces, quotes or `=`."""
    shown = str(value)
    plain = shown and not re.search(r"[\s=\"]", shown)
    return shown if plain else json.dumps(shown, ensure_ascii=False)


def formatter(log_format: str = "text", secrets: list[str] | None = None) -> logging.Formatter:
    """The formatter production uses; tests that scan logs use it too."""
    return Structured(log_format, secrets)


def configure(log_format: str = "text", secrets: list[str] | None = None) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(log_format, secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    quiet_libraries()


def quiet_libraries() -> None:
    """These log raw updates (DEBUG) and request URLs that carry the bot token (INFO), or
    say nothing an operator needs."""
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
