"""The master key from a file (COMPANERA_MASTER_KEY_FILE, or a systemd credential), read once
at start; no key in the environment of a child; no core dumps."""

from __future__ import annotations

import base64
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from bot.emulator import Emulator
from storage.crypto import new_key, new_master_key_b64
from tests.support.db import TEST_DATABASE_URL, fresh_database_url
from tests.support.processes import bot_env, bot_process, polling
from tests.test_cli import companera

sqlite_only = pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="uses the SQLite default")


def key_file(path: Path, text: str) -> Path:
    path.write_text(text, encoding="ascii")
    path.chmod(0o600)
    return path


@sqlite_only
def test_the_key_file_opens_the_database_the_same_key_opened(tmp_path: Path) -> None:
    key = new_master_key_b64()
    data = str(tmp_path / "data")
    first = companera("migrate", COMPANERA_DATA_DIR=data, COMPANERA_MASTER_KEY=key)
    assert first.returncode == 0, first.stderr
    path = key_file(tmp_path / "master-key", key + "\n")  # as `companera keygen > file`
    again = companera("migrate", COMPANERA_DATA_DIR=data, COMPANERA_MASTER_KEY_FILE=str(path))
    assert again.returncode == 0, again.stderr
    other = key_file(tmp_path / "other-key", new_master_key_b64())
    wrong = companera("migrate", COMPANERA_DATA_DIR=data, COMPANERA_MASTER_KEY_FILE=str(other))
    assert wrong.returncode == 2


@sqlite_only
def test_a_systemd_credential_is_found_without_a_setting(tmp_path: Path) -> None:
    key = new_master_key_b64()
    data = str(tmp_path / "data")
    credentials = tmp_path / "credentials"
    credentials.mkdir()
    key_file(credentials / "companera-master-key", key + "\n")
    first = companera("migrate", COMPANERA_DATA_DIR=data, CREDENTIALS_DIRECTORY=str(credentials))
    assert first.returncode == 0, first.stderr
    # The database it made opens with that key, and with no other.
    assert companera("migrate", COMPANERA_DATA_DIR=data, COMPANERA_MASTER_KEY=key).returncode == 0
    wrong = companera(
        "migrate", COMPANERA_DATA_DIR=data, COMPANERA_MASTER_KEY=new_master_key_b64()
    )
    assert wrong.returncode == 2


SHORT = base64.b64encode(b"fake-key-31-bytes-long-aaaaaaaa").decode()
# Fixed, so that every pytest-xdist worker collects the same test ids.
TWO_KEYS = (
    base64.b64encode(b"fake-key-one-32-bytes-long-aaaaa").decode()
    + "\n"
    + base64.b64encode(b"fake-key-two-32-bytes-long-bbbbb").decode()
    + "\n"
)


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (None, "No such file"),
        ("", "holds no master key"),
        ("\n\n", "holds no master key"),
        (SHORT + "\n", "holds no master key"),
        ("not base64 at all!\n", "holds no master key"),
        (TWO_KEYS, "holds no master key"),
        ("directory", "Is a directory"),
    ],
)
def test_a_bad_key_file_gives_one_line_without_the_key_and_exit_2(
    tmp_path: Path, content: str | None, said: str
) -> None:
    path = tmp_path / "master-key"
    if content == "directory":
        path.mkdir()
    elif content is not None:
        key_file(path, content)
    result = companera(
        "run", COMPANERA_DATA_DIR=str(tmp_path), COMPANERA_MASTER_KEY_FILE=str(path)
    )
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert "COMPANERA_MASTER_KEY_FILE" in line and str(path) in line and said in line
    for secret in (content or "").split():
        assert len(secret) < 20 or secret not in line  # no key, nor a piece of one


def test_the_key_given_twice_is_refused(tmp_path: Path) -> None:
    key = new_master_key_b64()
    path = key_file(tmp_path / "master-key", key)
    result = companera(
        "run",
        COMPANERA_DATA_DIR=str(tmp_path),
        COMPANERA_MASTER_KEY=key,
        COMPANERA_MASTER_KEY_FILE=str(path),
    )
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert "twice" in line and key not in line


def test_no_key_at_all_names_the_key_file(tmp_path: Path) -> None:
    result = companera("run", COMPANERA_DATA_DIR=str(tmp_path))
    assert result.returncode == 2
    assert "COMPANERA_MASTER_KEY_FILE" in result.stderr


# A process that starts as `companera migrate` does, then spawns a child, as pg_dump or a
# shell would be, and prints the child's environment and its own core limit.
CHILD = """
import ctypes, resource, subprocess, sys
from bot.cli import main
assert main(["migrate"]) == 0
print(subprocess.run(["env"], capture_output=True, text=True, check=True).stdout)
print("core", resource.getrlimit(resource.RLIMIT_CORE))
print("dumpable", ctypes.CDLL(None).prctl(3, 0, 0, 0, 0))  # PR_GET_DUMPABLE
"""


@sqlite_only
def test_a_child_of_the_bot_inherits_no_key_and_no_token(tmp_path: Path) -> None:
    key = new_master_key_b64()
    token = "123456:FAKE-TOKEN-for-a-test"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("COMPANERA_", "TELEGRAM_"))}
    env = {
        **clean,
        "COMPANERA_DATA_DIR": str(tmp_path),
        "COMPANERA_MASTER_KEY": key,
        "TELEGRAM_BOT_TOKEN": token,
        "WEBHOOK_SECRET": "fake-webhook-secret",
    }
    result = subprocess.run(
        [sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "COMPANERA_DATA_DIR=" in result.stdout  # the child did get an environment
    for secret in (key, token, "fake-webhook-secret", "COMPANERA_MASTER_KEY="):
        assert secret not in result.stdout
    assert "core (0, 0)" in result.stdout
    assert "dumpable 0" in result.stdout


def limits_of(pid: int) -> dict[str, str]:
    lines = Path(f"/proc/{pid}/limits").read_text().splitlines()[1:]
    return {line[:26].strip(): line[26:].strip() for line in lines}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
async def test_the_running_bot_can_write_no_core_dump(tmp_path: Path) -> None:
    # The bot starts with the limit this test has; it must lower it itself.
    _, hard = resource.getrlimit(resource.RLIMIT_CORE)
    assert hard != 0, "this machine forbids core dumps already: the test would prove nothing"
    async with fresh_database_url(tmp_path) as url, Emulator() as emulator:
        env = bot_env(emulator, url, tmp_path, new_key())
        async with bot_process(env) as bot:
            await polling(emulator)
            limit = limits_of(bot.pid)["Max core file size"].split()
    assert limit[:2] == ["0", "0"]
