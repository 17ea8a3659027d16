"""Logging that carries event names and pseudonymous ids only, never what members typed."""

from __future__ import annotations

import json
import logging
import sys

QUIET = (
    "httpx",
    "httpcore",
    "telegram",
    "apscheduler",
    "aiosqlite",
    "asyncio",
    "alembic.runtime.plugins",  # a line per plugin on every start, in newer Alembic
)


class _RedactToken(logging.Filter):
    """Belt and braces: the bot token never reaches a log line, whoever logs it."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        if self._secrets:
            message = record.getMessage()
            for secret in self._secrets:
                message = message.replace(secret, "<redacted>")
            record.msg, record.args = message, None
        return True


class _Json(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "at": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "event": record.getMessage(),
        }
        for key in ("step", "checkin", "code", "kind", "seconds", "error"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        return json.dumps(entry)


def configure(log_format: str = "text", secrets: list[str] | None = None) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_RedactToken(secrets or []))
    handler.setFormatter(
        _Json()
        if log_format == "json"
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    quiet_libraries()


def quiet_libraries() -> None:
    """These log raw updates (DEBUG) and request URLs that carry the bot token (INFO), or
    say nothing an operator needs."""
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
