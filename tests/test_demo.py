"""`companera demo` runs the bot against the emulator from a script, with no token or key."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """\
ana> /start
ana> Ana
ana> /invite Luz
@luz /start <token>
luz> press 1
ana> /checkin 1h Hotel Prueba, placa TEST-000
ana> press 1
quit
"""


def test_demo_plays_a_script_end_to_end(tmp_path: Path) -> None:
    script = tmp_path / "demo.txt"
    script.write_text(SCRIPT)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("COMPANERA_", "TELEGRAM_", "DATABASE_"))
    }
    env["COMPANERA_DATA_DIR"] = str(tmp_path / "data")
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "demo", "--script", str(script)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    assert "Made a demo master key" in out
    assert (tmp_path / "data" / "demo" / "master.key").exists()
    assert "→ luz: Ana te invita a ser su contacto de confianza" in out
    assert "→ ana: Luz aceptó ser tu contacto de confianza" in out
    assert "tienes hasta las" in out
    assert "Qué bueno. Temporizador detenido" in out
