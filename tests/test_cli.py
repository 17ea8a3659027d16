"""The command line: clear one-line errors with exit code 2, keygen, migrate, wrong keys."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest

from storage.crypto import new_master_key_b64
from tests.support.db import TEST_DATABASE_URL


def companera(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("COMPANERA_", "TELEGRAM_", "DATABASE_", "CHECKIN_"))
    }
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_keygen_prints_a_32_byte_base64_key() -> None:
    result = companera("keygen")
    assert result.returncode == 0
    assert len(base64.b64decode(result.stdout.strip())) == 32
    assert companera("keygen").stdout != result.stdout


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "COMPANERA_MASTER_KEY"),
        ({"COMPANERA_MASTER_KEY": "not-base64!"}, "COMPANERA_MASTER_KEY"),
        ({"COMPANERA_MASTER_KEY": base64.b64encode(b"short").decode()}, "COMPANERA_MASTER_KEY"),
        ({"CHECKIN_GRACE_SECONDS": "soon"}, "CHECKIN_GRACE_SECONDS"),
        ({"CHECKIN_GRACE_SECONDS": "-1"}, "CHECKIN_GRACE_SECONDS"),
        ({"PORT": "99999"}, "PORT"),
        ({"COMPANERA_DEFAULT_TIMEZONE": "Mars/Olympus"}, "COMPANERA_DEFAULT_TIMEZONE"),
    ],
)
def test_bad_setting_gives_one_line_naming_it_and_exit_2(
    tmp_path: Path, env: dict[str, str], named: str
) -> None:
    result = companera("run", COMPANERA_DATA_DIR=str(tmp_path), **env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0]


def test_run_without_a_token_names_it(tmp_path: Path) -> None:
    result = companera(
        "run", COMPANERA_DATA_DIR=str(tmp_path), COMPANERA_MASTER_KEY=new_master_key_b64()
    )
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN" in result.stderr


@pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="uses the SQLite default")
def test_migrate_then_a_wrong_key_is_refused(tmp_path: Path) -> None:
    key = new_master_key_b64()
    first = companera("migrate", COMPANERA_DATA_DIR=str(tmp_path), COMPANERA_MASTER_KEY=key)
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "companera.db").exists()
    again = companera("migrate", COMPANERA_DATA_DIR=str(tmp_path), COMPANERA_MASTER_KEY=key)
    assert again.returncode == 0
    wrong = companera(
        "migrate", COMPANERA_DATA_DIR=str(tmp_path), COMPANERA_MASTER_KEY=new_master_key_b64()
    )
    assert wrong.returncode == 2
    assert "master key does not open this database" in wrong.stderr


def test_announce_refuses_an_empty_or_missing_file(tmp_path: Path) -> None:
    key = new_master_key_b64()
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    for path, said in ((empty, "empty"), (tmp_path / "missing.txt", "missing.txt")):
        result = companera(
            "announce", str(path), COMPANERA_DATA_DIR=str(tmp_path), COMPANERA_MASTER_KEY=key
        )
        assert result.returncode == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and said in lines[0]


def test_network_create_prints_a_coordinator_code_then_list_link_update(tmp_path: Path) -> None:
    env = {"COMPANERA_DATA_DIR": str(tmp_path), "COMPANERA_MASTER_KEY": new_master_key_b64()}
    example = str(Path(__file__).parent.parent / "deploy" / "network.example.yaml")
    created = companera("network", "create", "Alianza Prueba", "--config", example, **env)
    assert created.returncode == 0, created.stderr
    assert "Network: Alianza Prueba" in created.stdout
    code = created.stdout.rsplit("/join ", 1)[1].split()[0]
    assert len(code) == 11 and code[5] == "-"
    again = companera("network", "create", "alianza  prueba", "--config", example, **env)
    assert again.returncode == 2 and "already a network" in again.stderr
    listed = companera("network", "list", **env)
    assert listed.returncode == 0 and "Alianza Prueba: 0 members" in listed.stdout
    link = companera("network", "link", "Alianza Prueba", **env)
    assert link.returncode == 0 and "/join " in link.stdout
    assert link.stdout.rsplit("/join ", 1)[1].split()[0] != code
    smaller = tmp_path / "smaller.yaml"
    smaller.write_text("areas:\n  - name: Centro\n", encoding="utf-8")
    updated = companera("network", "update", "Alianza Prueba", "--config", str(smaller), **env)
    assert updated.returncode == 0, updated.stderr
    listed = companera("network", "list", **env)
    assert "Alianza Prueba: 0 members, 1 areas" in listed.stdout
    unknown = companera("network", "link", "Otra Red", **env)
    assert unknown.returncode == 2 and "no network with that name" in unknown.stderr


def test_network_config_errors_name_the_field_before_touching_the_database(
    tmp_path: Path,
) -> None:
    env = {"COMPANERA_DATA_DIR": str(tmp_path), "COMPANERA_MASTER_KEY": new_master_key_b64()}
    bad = tmp_path / "bad.yaml"
    bad.write_text("region: XX\nareas:\n  - name: Centro\n", encoding="utf-8")
    result = companera("network", "create", "Red Prueba", "--config", str(bad), **env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "region" in lines[0] and "bad.yaml" in lines[0]
    assert not (tmp_path / "companera.db").exists()


def test_rotate_key_then_only_the_new_key_opens_the_database(tmp_path: Path) -> None:
    old = new_master_key_b64()
    env = {"COMPANERA_DATA_DIR": str(tmp_path), "COMPANERA_MASTER_KEY": old}
    example = str(Path(__file__).parent.parent / "deploy" / "network.example.yaml")
    created = companera("network", "create", "Alianza Prueba", "--config", example, **env)
    assert created.returncode == 0, created.stderr
    new = companera("keygen").stdout
    key_file = tmp_path / "new.key"
    key_file.write_text(f"  {new[:20]}\n{new[20:]}\n", encoding="utf-8")  # as pasted

    rotated = companera("rotate-key", "--new-key-file", str(key_file), **env)

    assert rotated.returncode == 0, rotated.stderr
    assert "system 1, members 0, networks 1" in rotated.stdout
    assert "COMPANERA_MASTER_KEY" in rotated.stdout and "backup" in rotated.stdout
    with_old = companera("migrate", **env)
    assert with_old.returncode == 2
    assert "master key does not open this database" in with_old.stderr
    again = companera("rotate-key", "--new-key-file", str(key_file), **env)
    assert again.returncode == 2 and "already rotated" in again.stderr
    env["COMPANERA_MASTER_KEY"] = new.strip()
    assert companera("migrate", **env).returncode == 0
    listed = companera("network", "list", **env)
    assert listed.returncode == 0 and "Alianza Prueba: 0 members" in listed.stdout


@pytest.mark.parametrize(
    "content",
    [None, "", "not base64!", base64.b64encode(b"short").decode(), new_master_key_b64() * 2],
    ids=["missing", "empty", "not-base64", "short", "long"],
)
def test_rotate_key_refuses_a_bad_key_file_in_one_line(
    tmp_path: Path, content: str | None
) -> None:
    key_file = tmp_path / "new.key"
    if content is not None:
        key_file.write_text(content, encoding="utf-8")
    result = companera(
        "rotate-key",
        "--new-key-file",
        str(key_file),
        COMPANERA_DATA_DIR=str(tmp_path),
        COMPANERA_MASTER_KEY=new_master_key_b64(),
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "new.key" in lines[0]
    assert not (tmp_path / "companera.db").exists()


def test_rotate_key_refuses_the_current_key(tmp_path: Path) -> None:
    key = new_master_key_b64()
    key_file = tmp_path / "same.key"
    key_file.write_text(key + "\n", encoding="utf-8")
    result = companera(
        "rotate-key",
        "--new-key-file",
        str(key_file),
        COMPANERA_DATA_DIR=str(tmp_path),
        COMPANERA_MASTER_KEY=key,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "current master key" in lines[0]
    assert not (tmp_path / "companera.db").exists()


def test_purge_runs_on_a_fresh_database_and_says_what_it_deleted(tmp_path: Path) -> None:
    env = {"COMPANERA_DATA_DIR": str(tmp_path), "COMPANERA_MASTER_KEY": new_master_key_b64()}
    result = companera("purge", **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "companera: purged check-ins 0, outbox 0, swept 0"


def test_env_example_names_real_settings_and_has_no_comment_after_a_value() -> None:
    from bot.config import Settings

    known = {field.alias for field in Settings.model_fields.values()}
    example = Path(__file__).parent.parent / "deploy" / ".env.example"
    for line in example.read_text(encoding="utf-8").splitlines():
        assignment = line.removeprefix("# ").strip()
        if "=" not in assignment or " " in assignment.split("=", 1)[0]:
            continue  # prose
        name, value = assignment.split("=", 1)
        assert name in known, name
        assert "#" not in value, line  # systemd would keep it as part of the value


def test_resources_check_lists_an_old_entry_with_its_source(tmp_path: Path) -> None:
    """No key and no database needed: it reads the shipped files and RESOURCES_PATH's."""
    (tmp_path / "gt.yaml").write_text(
        "country: GT\n"
        "entries:\n"
        "  - id: casa-prueba\n"
        "    name: Casa Prueba\n"
        "    kind: legal\n"
        "    offers: Abogadas de prueba\n"
        "    contact: 5555 0001\n"
        "    sources: https://example.org/casa-prueba\n"
        "    checked: 2020-01-15\n",
        encoding="utf-8",
    )
    result = companera("resources", "check", "--on", "2027-01-01", RESOURCES_PATH=str(tmp_path))
    assert result.returncode == 1, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines == [
        "GT casa-prueba: checked 2020-01-15, see https://example.org/casa-prueba",
        "companera: 1 resource entries checked more than 12 months ago",
    ]
    fresh = companera("resources", "check", "--on", "2027-01-01")  # the shipped files alone
    assert fresh.returncode == 0, fresh.stderr
    later = companera("resources", "check", "--on", "2027-12-09")  # a year after their check
    assert later.returncode == 1 and "MX brigada-callejera: checked 2026-12-08" in later.stdout
    bad = companera("resources", "check", RESOURCES_PATH=str(tmp_path / "missing.yaml"))
    assert bad.returncode == 2 and "RESOURCES_PATH" in bad.stderr
