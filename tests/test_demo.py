"""`companera demo` runs the bot against the emulator from a script or the keyboard, with no
token or key: a mistyped line gets a one-line hint, logs go to a file, people keep their
chats across runs, and a network's YAML can be loaded first."""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from storage.crypto import new_master_key_b64

ROOT = Path(__file__).parent.parent
SCRIPT = """\
ana> /start
ana> Ana
ana> /invite Luz
@luz /start <token>
luz> press 1
luz> Luz
ana> press 1
ana> /checkin 1h Hotel Prueba, placa TEST-000
ana> press 1
quit
"""

NETWORK = """\
region: MX
areas:
  - name: Centro
    center: [19.4326, -99.1332]
alerts:
  advice:
    es: Llama a Casa Prueba al 55 0000 0000.
"""

# Lines a newcomer may type by mistake; each gets a one-line hint, and the demo goes on.
MISTYPED = [
    "",
    "ana> location abc",
    "ana> location 19.4",
    "ana> location 19.4 -99.1 7",
    "ana> location 100 200",
    "ana> location nan 1",
    "ana> location",
    "ana>",
    "@luz",
    "ana> press",
    "ana> press x",
    "ana> press 9",
    "hola",
    "a b> hola",
]


def demo(
    data: Path,
    *args: str,
    script: str | None = None,
    keyboard: str | None = None,
    production: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("COMPANERA_", "TELEGRAM_", "DATABASE_"))
    }
    env.update(production or {})
    env["COMPANERA_DATA_DIR"] = str(data)
    env["PYTHONPATH"] = str(ROOT)  # this checkout's code, from any working directory
    command = [sys.executable, "-m", "bot.cli", "demo", *args]
    if script is not None:
        path = data.parent / "demo.txt"
        path.write_text(script)
        command += ["--script", str(path)]
    return subprocess.run(
        command,
        env=env,
        input=keyboard,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def test_demo_plays_a_script_end_to_end_and_logs_to_a_file(tmp_path: Path) -> None:
    result = demo(tmp_path / "data", script=SCRIPT)
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    assert "Made a demo master key" in out
    assert (tmp_path / "data" / "demo" / "master.key").exists()
    assert "→ luz: Ana te invita a ser su contacto de confianza" in out
    assert "→ ana: Listo: Luz ya es tu contacto de confianza" in out
    assert "tienes hasta las" in out
    assert "Qué bueno. Temporizador detenido" in out
    log = tmp_path / "data" / "demo" / "companera.log"
    assert out.count(str(log)) == 1  # said once
    lines = log.read_text()
    assert "alembic.runtime.migration Running upgrade" in lines and "companera started" in lines
    for stream in (out, result.stderr):  # the chats only: no log line, migrations' neither
        assert (
            " INFO " not in stream
            and "alembic" not in stream
            and "companera started" not in stream
        )


def test_mistyped_lines_get_a_hint_and_people_keep_their_chats(tmp_path: Path) -> None:
    data = tmp_path / "data"
    network = tmp_path / "casa_prueba.yaml"
    network.write_text(NETWORK)
    first = [
        *MISTYPED,
        "ana> /start",
        "ana> Ana",
        "ana> /join <code>",
        "ana> /invite Luz",
        "@luz /start <token>",
        "luz> press 1",
        "luz> Luz",
        "ana> press 1",
        "quit",
    ]
    result = demo(data, "--network", str(network), keyboard="\n".join(first) + "\n")
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    assert "Traceback" not in out + result.stderr
    assert "Network «Casa Prueba» loaded from" in out
    assert "→ ana: Ahora coordinas Casa Prueba" in out
    assert "→ ana: Listo: Luz ya es tu contacto de confianza" in out
    hints = [line for line in out.splitlines() if line.startswith("  (")]
    assert len(hints) == len(MISTYPED), hints
    assert hints.count("  (a location is two numbers: location 19.43 -99.13)") == 6
    assert json.loads((data / "demo" / "people.json").read_text()) == ["ana", "luz"]

    again = demo(data, script="ana> /contacts\nluz> /contacts\nquit\n")  # no network this time
    assert again.returncode == 0, again.stderr[-2000:]
    assert "People from earlier runs keep their chats: ana, luz" in again.stdout
    assert "/start afresh" not in again.stdout
    # Eva stays Eva: the bot knows both, with the contact they made in the first run.
    ana, luz = again.stdout.split("→ ana:", 1)[1].split("→ luz:", 1)
    assert "Luz" in ana and "Ana" in luz
    assert "¿Qué nombre quieres que vean tus contactos?" not in again.stdout


def test_a_network_file_with_a_mistake_stops_the_demo_with_one_line(tmp_path: Path) -> None:
    network = tmp_path / "red.yaml"
    network.write_text("region: MX\nareas: []\n")
    result = demo(tmp_path / "data", "--network", str(network), keyboard="quit\n")
    assert result.returncode == 2
    assert result.stderr.strip() == f"companera: {network}: areas: list at least one area"
    missing = demo(tmp_path / "data", "--network", str(tmp_path / "nada.yaml"), keyboard="")
    assert missing.returncode == 2 and "cannot read it" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1


def test_production_settings_are_ignored_and_their_database_left_untouched(
    tmp_path: Path,
) -> None:
    """With a production database, key, key file, credential, token and webhook in the
    environment and in an env file, the demo runs on its own database and key only, and
    says so in one line (issue 15: it once alerted a real contact)."""
    server = tmp_path / "server"
    (server / "credentials").mkdir(parents=True)
    database = server / "companera.db"
    with sqlite3.connect(database) as connection:  # a real database, as the demo would see it
        connection.execute("CREATE TABLE members (id TEXT PRIMARY KEY)")
        connection.execute("INSERT INTO members VALUES ('produccion-prueba')")
    connection.close()
    before = database.read_bytes()
    key = new_master_key_b64()
    (server / "master.key").write_text(key + "\n")
    (server / "credentials" / "companera-master-key").write_text(key + "\n")
    production = {
        "DATABASE_URL": f"sqlite:///{database}",
        "COMPANERA_MASTER_KEY": key,
        "COMPANERA_MASTER_KEY_FILE": str(server / "master.key"),
        "CREDENTIALS_DIRECTORY": str(server / "credentials"),
        "TELEGRAM_BOT_TOKEN": "123456:produccion-prueba",
        "WEBHOOK_URL": "https://bot.example.invalid/hook",
        "WEBHOOK_SECRET": "secreto-prueba",
    }
    (server / ".env").write_text("".join(f"{k}={v}\n" for k, v in production.items()))
    result = demo(server / "data", script=SCRIPT, production=production, cwd=server)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Qué bueno. Temporizador detenido" in result.stdout  # the demo ran, on its own
    said = [line for line in result.stdout.splitlines() if "ignores" in line]
    assert said == [
        "The demo ignores DATABASE_URL, COMPANERA_MASTER_KEY, COMPANERA_MASTER_KEY_FILE, "
        "CREDENTIALS_DIRECTORY, TELEGRAM_BOT_TOKEN, WEBHOOK_URL, WEBHOOK_SECRET: it uses only "
        "its own database and key, under <data dir>/demo/."
    ]
    assert database.read_bytes() == before
    assert [p.name for p in server.glob("companera.db*")] == ["companera.db"]
    demo_key = (server / "data" / "demo" / "master.key").read_text().strip()
    assert base64.b64decode(demo_key) != base64.b64decode(key)
