"""deploy/ keeps the master key out of env files, `docker inspect` and core dumps, and backs
up with encryption: the key is a Compose secret or a systemd credential, every bot runs
without core dumps, and the backup units are valid."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.test_deploy import (
    BOTS,
    DEPLOY,
    analyze,
    compose,
    service,
    unit_root,
    unit_service_section,
)

KEY_VARIABLE = re.compile(r"^\s*COMPANERA_MASTER_KEY\s*=", re.MULTILINE | re.IGNORECASE)
BOT_UNITS = ("companera.service", "companera@.service")


def environment_of(definition: dict[str, Any]) -> dict[str, str]:
    environment = definition.get("environment", {})
    if isinstance(environment, list):  # the KEY=value form
        return dict(item.split("=", 1) for item in environment)
    return dict(environment)


def test_compose_gives_the_key_as_a_secret_never_as_a_variable() -> None:
    for name, definition in compose()["services"].items():
        environment = environment_of(definition)
        assert "COMPANERA_MASTER_KEY" not in {k.upper() for k in environment}, name
    for name in BOTS:
        bot = service(name)
        assert bot["secrets"] == ["companera-master-key"]
        assert environment_of(bot)["COMPANERA_MASTER_KEY_FILE"] == (
            "/run/secrets/companera-master-key"
        )
    (secret,) = compose()["secrets"].values()
    assert secret == {"file": "/run/companera/master-key"}


def test_no_env_file_holds_the_key() -> None:
    # What every env file is made from: deploy/.env.example (companera.env, /etc/companera/env)
    # and deploy/backup.env.example; and the env_file Compose reads.
    for example in (".env.example", "backup.env.example"):
        assert not KEY_VARIABLE.search((DEPLOY / example).read_text(encoding="utf-8")), example
    files = {service(name)["env_file"] for name in BOTS}
    assert files == {"companera.env"}


def test_the_bots_containers_write_no_core_dump() -> None:
    for name in BOTS:
        assert service(name)["ulimits"] == {"core": 0}


@pytest.mark.parametrize("unit", BOT_UNITS)
def test_units_load_the_key_as_a_credential_and_write_no_core_dump(unit: str) -> None:
    settings = unit_service_section(unit)
    assert settings["LimitCORE"] == ["0"]
    assert settings["LoadCredentialEncrypted"] == [
        "companera-master-key:/etc/companera/master-key.cred"
    ]
    assert "LoadCredential" not in settings
    for line in settings.get("Environment", []):
        assert not KEY_VARIABLE.search(line)


def test_the_backup_unit_runs_the_script_with_its_settings_and_no_core_dump() -> None:
    settings = unit_service_section("companera-backup.service")
    assert settings["ExecStart"] == ["/usr/local/sbin/companera-backup"]
    assert "/etc/companera/backup.env" in settings["EnvironmentFile"]
    assert settings["LimitCORE"] == ["0"]
    assert settings["UMask"] == ["0077"]
    timer = (DEPLOY / "companera-backup.timer").read_text(encoding="utf-8")
    assert "OnCalendar=*-*-* 03:15:00" in timer and "Persistent=true" in timer


@pytest.mark.parametrize("unit", ["companera-backup.service", "companera-backup.timer"])
def test_systemd_analyze_verify_accepts_the_backup_units(tmp_path: Path, unit: str) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed (Debian package: systemd)")
    root = unit_root(tmp_path, "companera-backup.service")
    shutil.copy(DEPLOY / "companera-backup.timer", root / "etc/systemd/system")
    result = analyze("verify", f"--root={root}", "--man=no", unit)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_compose_reads_the_credential_decrypted_into_memory_at_boot() -> None:
    settings = unit_service_section("companera-key.service")
    decrypt, chown = settings["ExecStart"]
    (secret,) = compose()["secrets"].values()
    assert decrypt.split() == [
        "/usr/bin/systemd-creds",
        "decrypt",
        "--name=companera-master-key",
        "/etc/companera/master-key.cred",  # the credential the systemd units load
        secret["file"],
    ]
    assert secret["file"].startswith("/run/")  # memory, never a disk
    assert chown.split()[1] == "10001:10001"  # the bots' user in deploy/Dockerfile
    assert "USER 10001:10001" in (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert settings["UMask"] == ["0077"] and settings["LimitCORE"] == ["0"]
    unit = (DEPLOY / "companera-key.service").read_text(encoding="utf-8")
    assert "Before=docker.service" in unit and "WantedBy=docker.service" in unit


def test_systemd_analyze_verify_accepts_the_key_unit(tmp_path: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed (Debian package: systemd)")
    root = unit_root(tmp_path, "companera-key.service")
    result = analyze("verify", f"--root={root}", "--man=no", "companera-key.service")
    assert (result.returncode, result.stdout + result.stderr) == (0, "")
