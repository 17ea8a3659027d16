"""The bot in a subprocess, for tests that kill it: started, waited for, killed."""

from __future__ import annotations

import asyncio
import base64
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.emulator import Emulator


def bot_env(
    emulator: Emulator, url: str, data_dir: Path, key: bytes, **extra: str
) -> dict[str, str]:
    """The environment of `companera run` against `emulator`, on database `url`."""
    return {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": emulator.token,
        "TELEGRAM_API_URL": emulator.base_url,
        "DATABASE_URL": url,
        "COMPANERA_DATA_DIR": str(data_dir),
        "COMPANERA_MASTER_KEY": base64.b64encode(key).decode(),
        **extra,
    }


@asynccontextmanager
async def bot_process(
    env: dict[str, str], module: str = "bot.cli"
) -> AsyncIterator[asyncio.subprocess.Process]:
    """`companera run` (or a module that runs it, such as tests/support/crashing_bot.py) in
    a subprocess; killed with SIGKILL if the test has not already."""
    args = ["run"] if module == "bot.cli" else []
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        module,
        *args,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,  # never a pipe nobody reads: it would fill
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()


async def polling(emulator: Emulator, timeout: float = 60.0) -> None:
    """Wait until a newly started bot polls: it is up, however slow the machine is."""
    seen = emulator.requests["getUpdates"]
    async with asyncio.timeout(timeout):
        while emulator.requests["getUpdates"] <= seen:  # noqa: ASYNC110 (emulator state, polled)
            await asyncio.sleep(0.05)


async def acknowledged(emulator: Emulator, timeout: float = 30.0) -> None:
    """Wait until the bot has acknowledged every update (its next getUpdates does it)."""
    async with asyncio.timeout(timeout):
        while emulator.updates.pending:  # noqa: ASYNC110 (emulator state, polled)
            await asyncio.sleep(0.05)
