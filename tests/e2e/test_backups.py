"""The restore drill: deploy/backup.sh encrypts a backup to a public key the server holds;
the database is wiped; deploy/restore.sh brings it back with the private key, which only
the restore is given; the bot starts on it with the same master key, and a check-in that
was running when the backup was made still alerts her contact.

CI (CI=true, set by .ci/run) must run it: there a missing tool fails the test."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.database import make_engine
from tests.e2e.conftest import GRACE, World, short_checkin
from tests.support.catalog import said
from tests.support.db import TEST_DATABASE_URL

DEPLOY = Path(__file__).parent.parent.parent / "deploy"
DETAILS = "Hotel Prueba hab 12, Nissan gris TEST-000"


def require(*tools: str) -> None:
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if not missing:
        return
    message = f"the restore drill needs {', '.join(missing)} (Debian: age, sqlite3, postgresql)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def database_tools() -> tuple[str, ...]:
    return ("pg_dump", "pg_restore") if TEST_DATABASE_URL else ("sqlite3",)


def run(script: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """A script of deploy/ with only the environment given (and PATH)."""
    return subprocess.run(
        [str(DEPLOY / script), *args],
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def age_key_pair(folder: Path) -> tuple[Path, str]:
    """A private key file (kept 'offline': never given to backup.sh) and its public key."""
    folder.mkdir()
    identity = folder / "backup.key"
    subprocess.run(["age-keygen", "-o", str(identity)], capture_output=True, check=True)
    public = subprocess.run(
        ["age-keygen", "-y", str(identity)], capture_output=True, text=True, check=True
    )
    return identity, public.stdout.strip()


async def wipe(url: str) -> None:
    """The database is lost: dropped and made again, empty (SQLite: its files deleted)."""
    if not TEST_DATABASE_URL:
        database = Path(url.split(":///", 1)[1])
        for file in database.parent.glob(database.name + "*"):
            file.unlink()
        return
    name = url.rpartition("/")[2]
    admin = make_engine(TEST_DATABASE_URL)
    try:
        async with admin.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await admin.dispose()


async def test_backup_wipe_restore_and_a_running_checkin_still_alerts(
    world: World, tmp_path: Path
) -> None:
    require("age", "age-keygen", *database_tools())
    identity, public_key = age_key_pair(tmp_path / "offline")
    server = tmp_path / "server"
    server.mkdir()
    recipients = server / "backup-recipients.txt"
    recipients.write_text(public_key + "\n")
    backups = tmp_path / "backups"  # another disk, in production
    backups.mkdir()
    where = {"DATABASE_URL": world.database_url}

    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await short_checkin(ana, DETAILS)
    await ana.receives(containing=said("checkin.started"))
    await world.settle()

    made = run(
        "backup.sh",
        COMPANERA_BACKUP_DIR=str(backups),
        COMPANERA_BACKUP_RECIPIENTS=str(recipients),
        **where,
    )  # while the bot runs, as the nightly timer does
    assert made.returncode == 0, made.stderr
    (backup,) = backups.iterdir()
    assert backup.name.endswith(".pgdump.age" if TEST_DATABASE_URL else ".sql.age")
    assert backup.stat().st_mode & 0o077 == 0
    sealed = backup.read_bytes()
    assert sealed.startswith(b"age-encryption.org/v1\n")
    for clear in (b"PGDMP", b"CREATE TABLE", b"alembic_version", b"checkins"):
        assert clear not in sealed

    await world.bot.stop()
    await world.close()
    await wipe(world.database_url)

    # The server's own key cannot open it: only the offline private key does.
    stranger, _ = age_key_pair(tmp_path / "stranger")
    refused = run("restore.sh", str(backup), str(stranger), **where)
    assert refused.returncode != 0
    restored = run("restore.sh", str(backup), str(identity), **where)
    assert restored.returncode == 0, restored.stderr

    await world.restart(tmp_path)  # the same master key, on the restored database
    await world.advance(minutes=1, seconds=GRACE + 1)
    alert = await luz.receives(containing=said("alert.missed.title", alias="Ana"))
    assert DETAILS in (alert.text or "")


def test_backup_refuses_a_private_key_on_the_server(tmp_path: Path) -> None:
    require("age", "age-keygen")
    identity, _ = age_key_pair(tmp_path / "keys")
    made = run(
        "backup.sh",
        COMPANERA_BACKUP_DIR=str(tmp_path),
        COMPANERA_BACKUP_RECIPIENTS=str(identity),  # the private key file: a mistake
        DATABASE_URL=f"sqlite:///{tmp_path}/companera.db",
    )
    assert made.returncode == 1
    assert "private key" in made.stderr
    assert "AGE-SECRET-KEY" not in made.stderr + made.stdout
    assert [p.name for p in tmp_path.iterdir()] == ["keys"]


def test_backup_keeps_the_newest_days_only(tmp_path: Path) -> None:
    require("age", "age-keygen", "sqlite3")
    _, public_key = age_key_pair(tmp_path / "offline")
    recipients = tmp_path / "recipients.txt"
    recipients.write_text(public_key + "\n")
    database = tmp_path / "companera.db"
    subprocess.run(["sqlite3", str(database), "CREATE TABLE t(x)"], check=True)
    backups = tmp_path / "backups"
    backups.mkdir()
    old, recent = backups / "companera-old.sql.age", backups / "companera-recent.sql.age"
    other = backups / "notes.txt"
    for path, days in ((old, 8), (recent, 6), (other, 30)):
        path.write_bytes(b"x")
        stamp = path.stat().st_mtime - days * 86400
        os.utime(path, (stamp, stamp))
    made = run(
        "backup.sh",
        COMPANERA_BACKUP_DIR=str(backups),
        COMPANERA_BACKUP_RECIPIENTS=str(recipients),
        COMPANERA_BACKUP_KEEP_DAYS="7",
        DATABASE_URL=f"sqlite:///{database}",
    )
    assert made.returncode == 0, made.stderr
    left = sorted(p.name for p in backups.iterdir())
    assert "companera-old.sql.age" not in left
    assert {"companera-recent.sql.age", "notes.txt"} <= set(left) and len(left) == 3


FAKE_DOCKER = """#!/bin/sh
# Records how it was called; `pg_dump` prints a fake dump, `pg_restore` keeps what it reads.
echo "$@" >> "{log}"
case "$*" in
  *pg_dump*) printf 'PGDMP fake dump of companera' ;;
  *pg_restore*) cat > "{restored}" ;;
esac
"""


def test_with_compose_the_dump_and_the_restore_run_in_the_postgres_container(
    tmp_path: Path,
) -> None:
    require("age", "age-keygen")
    identity, public_key = age_key_pair(tmp_path / "offline")
    recipients = tmp_path / "recipients.txt"
    recipients.write_text(public_key + "\n")
    tools, backups, deploy = tmp_path / "bin", tmp_path / "backups", tmp_path / "deploy"
    for folder in (tools, backups, deploy):
        folder.mkdir()
    log, restored = tmp_path / "docker.log", tmp_path / "restored"
    docker = tools / "docker"
    docker.write_text(FAKE_DOCKER.format(log=log, restored=restored))
    docker.chmod(0o755)
    path = f"{tools}:{os.environ['PATH']}"
    compose = {"COMPANERA_BACKUP_COMPOSE_DIR": str(deploy), "PATH": path}

    made = run(
        "backup.sh",
        COMPANERA_BACKUP_DIR=str(backups),
        COMPANERA_BACKUP_RECIPIENTS=str(recipients),
        **compose,
    )
    assert made.returncode == 0, made.stderr
    (backup,) = backups.iterdir()
    assert backup.name.endswith(".pgdump.age") and b"PGDMP" not in backup.read_bytes()
    back = run("restore.sh", str(backup), str(identity), **compose)
    assert back.returncode == 0, back.stderr
    assert restored.read_bytes() == b"PGDMP fake dump of companera"
    dump, restore = log.read_text().splitlines()
    file = f"compose -f {deploy}/compose.yaml exec -T postgres"
    assert dump == f"{file} pg_dump -U companera -Fc companera"
    assert restore.startswith(f"{file} pg_restore -U companera -d companera --clean")
