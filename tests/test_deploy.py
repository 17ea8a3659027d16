"""deploy/: the image, Compose with two replicas, Caddy in front, the systemd units."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from bot.config import Settings

ROOT = Path(__file__).parent.parent
DEPLOY = ROOT / "deploy"
BOTS = ("bot-1", "bot-2")
SETTINGS = {setting.alias for setting in Settings.model_fields.values()}


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def service(name: str) -> dict[str, Any]:
    services = compose()["services"]
    assert name in services, f"compose.yaml has no service {name}"
    return services[name]


def webhook_path() -> str:
    """The path of WEBHOOK_URL as Compose gives it to the bots."""
    url = service("bot-1")["environment"]["WEBHOOK_URL"]
    return urlsplit(re.sub(r"\$\{[^}]*\}", "bot.example.org", url)).path


# compose.yaml


def test_postgres_has_a_healthcheck_a_volume_and_no_published_port() -> None:
    postgres = service("postgres")
    assert postgres["image"].startswith("postgres:16")
    assert "pg_isready" in postgres["healthcheck"]["test"]
    assert any(v.endswith(":/var/lib/postgresql/data") for v in postgres["volumes"])
    assert "ports" not in postgres
    assert postgres["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")


def test_two_bot_replicas_run_the_same_image_in_webhook_mode() -> None:
    one, two = (service(name) for name in BOTS)
    assert one == two
    assert one["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}
    environment = one["environment"]
    assert set(environment) <= SETTINGS, "compose.yaml sets something the bot does not read"
    assert environment["WEBHOOK_URL"].startswith("https://${COMPANERA_DOMAIN:?")
    assert environment["DATABASE_URL"].startswith("postgresql://")
    assert "@postgres:" in environment["DATABASE_URL"]
    assert "${POSTGRES_PASSWORD" in environment["DATABASE_URL"]
    # The secret comes from the operator's env file, never from compose.yaml itself.
    assert "WEBHOOK_SECRET" not in environment
    assert one["env_file"] == "companera.env"
    assert one["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert one["restart"] == "unless-stopped"


def test_bots_run_read_only_without_capabilities_or_new_privileges() -> None:
    for name in BOTS:
        bot = service(name)
        assert bot["read_only"] is True
        assert "/tmp" in bot["tmpfs"]
        assert bot["cap_drop"] == ["ALL"]
        assert "cap_add" not in bot
        assert "no-new-privileges:true" in bot["security_opt"]
    for name in ("postgres", "caddy"):
        assert service(name)["cap_drop"] == ["ALL"]
        assert "no-new-privileges:true" in service(name)["security_opt"]


def test_the_bots_take_updates_on_every_address_and_keep_metrics_on_loopback() -> None:
    for name in BOTS:
        environment = service(name)["environment"]
        assert environment["HOST"] == "0.0.0.0"  # Caddy is in another container
        # /healthz and /metrics: the container's loopback, the image's default port.
        assert "METRICS_HOST" not in environment and "METRICS_PORT" not in environment
    assert Settings.model_fields["metrics_host"].default == "127.0.0.1"
    assert Settings.model_fields["host"].default == "127.0.0.1"


def test_only_the_proxy_publishes_ports() -> None:
    published = {name: s.get("ports", []) for name, s in compose()["services"].items()}
    assert published.pop("caddy") == ["80:80", "443:443"]
    assert all(ports == [] for ports in published.values()), published
    for name in (*BOTS, "postgres"):
        assert "expose" not in service(name)


def test_the_database_is_out_of_the_proxys_reach() -> None:
    networks = compose()["networks"]
    assert networks["db"] == {"internal": True}
    assert service("postgres")["networks"] == ["db"]
    assert "db" not in service("caddy")["networks"]
    for name in BOTS:
        assert set(service(name)["networks"]) == {"db", "edge"}


def test_caddy_gets_the_domain_and_the_caddyfile_read_only() -> None:
    caddy = service("caddy")
    assert caddy["image"] == "caddy:2"
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in caddy["volumes"]
    assert caddy["environment"]["COMPANERA_DOMAIN"].startswith("${COMPANERA_DOMAIN:?")
    assert caddy["cap_add"] == ["NET_BIND_SERVICE"]


def test_env_example_documents_the_webhook_settings() -> None:
    # tests/test_cli.py checks that every name in it is a setting; here, that these are there.
    example = (DEPLOY / ".env.example").read_text(encoding="utf-8")
    for name in ("WEBHOOK_URL", "WEBHOOK_SECRET", "PORT"):
        assert re.search(rf"^# {name}=", example, re.MULTILINE), name


def has_docker_compose() -> bool:
    if shutil.which("docker") is None:
        return False
    version = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
    return version.returncode == 0


def test_docker_compose_accepts_the_file(tmp_path: Path) -> None:
    if not has_docker_compose():
        pytest.skip("`docker compose` is not installed")
    deploy = tmp_path / "deploy"
    deploy.mkdir()
    shutil.copy(DEPLOY / "compose.yaml", deploy)
    shutil.copy(DEPLOY / ".env.example", deploy / "companera.env")
    (deploy / ".env").write_text("COMPANERA_DOMAIN=bot.example.org\nPOSTGRES_PASSWORD=abc123\n")
    result = subprocess.run(
        ["docker", "compose", "config", "--format", "json"],
        cwd=deploy,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert '"WEBHOOK_URL": "https://bot.example.org/telegram"' in result.stdout


# Caddyfile


@dataclass
class Block:
    """A Caddyfile directive: its tokens and the directives in its braces."""

    tokens: list[str]
    children: list[Block] = field(default_factory=list)

    def walk(self, ancestors: tuple[Block, ...] = ()) -> Iterator[tuple[Block, tuple[Block, ...]]]:
        for child in self.children:
            yield child, ancestors
            yield from child.walk((*ancestors, child))


def caddyfile() -> Block:
    """The Caddyfile as a tree; enough of its syntax for this file (no quotes, no snippets)."""
    root = Block([])
    stack = [root]
    for raw in (DEPLOY / "Caddyfile").read_text(encoding="utf-8").splitlines():
        tokens = re.sub(r"(^|\s)#.*", "", raw).split()
        if tokens == ["}"]:
            stack.pop()
            continue
        if not tokens:
            continue
        opens = tokens[-1] == "{"
        block = Block(tokens[:-1] if opens else tokens)
        stack[-1].children.append(block)
        if opens:
            stack.append(block)
    assert stack == [root], "unbalanced braces"
    return root


def site() -> Block:
    (block,) = [b for b in caddyfile().children if b.tokens == ["{$COMPANERA_DOMAIN}"]]
    return block


def test_caddy_proxies_only_the_webhook_path_to_both_replicas() -> None:
    proxies = [(b, up) for b, up in site().walk() if b.tokens[0] == "reverse_proxy"]
    assert len(proxies) == 1
    proxy, ancestors = proxies[0]
    assert [a.tokens for a in ancestors] == [["handle", webhook_path()]]
    assert proxy.tokens[1:] == [f"{name}:{service(name)['environment']['PORT']}" for name in BOTS]
    options = {b.tokens[0]: b.tokens[1:] for b in proxy.children}
    assert options["lb_policy"] == ["round_robin"]
    # Active checks of /healthz would keep a starting replica from the updates it waits for.
    assert "health_uri" not in options
    assert options["unhealthy_status"] == ["5xx"]


def test_caddy_answers_404_to_everything_else_and_keeps_no_access_log() -> None:
    handles = [b.tokens for b in site().children]
    assert handles == [["handle", webhook_path()], ["handle"]]
    assert site().children[1].children == [Block(["respond", "404"])]
    assert not [b for b, _ in site().walk() if b.tokens[0] == "log"]
    text = (DEPLOY / "Caddyfile").read_text(encoding="utf-8")
    assert "metrics" not in re.sub(r"#.*", "", text)


def test_caddys_own_messages_drop_addresses_and_headers() -> None:
    (options,) = [b for b in caddyfile().children if b.tokens == []]
    (log,) = [b for b in options.children if b.tokens == ["log", "default"]]
    deleted = {b.tokens[0] for b, _ in log.walk() if b.tokens[1:] == ["delete"]}
    assert {"request>remote_ip", "request>client_ip", "request>headers"} <= deleted


@dataclass
class FakeBot:
    """Answers like a replica: `status` to an update (its name in the body), 200 elsewhere."""

    name: str
    status: int = 200
    received: list[tuple[str, str]] = field(default_factory=list)
    largest_body: int = 0

    def __enter__(self) -> FakeBot:
        bot = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                bot.received.append(("GET", self.path))
                self.send_response(200)
                self.end_headers()

            def do_POST(self) -> None:
                secret = self.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                bot.largest_body = max(bot.largest_body, len(body))
                if secret == "drop-the-connection":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                bot.received.append(("POST", self.path))
                self.send_response(bot.status)
                self.end_headers()
                self.wfile.write(bot.name.encode())

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.server.server_address[1]}"

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def request(url: str, body: bytes | None = None, secret: str = "s3cret") -> tuple[int, str]:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, data=body, headers=headers), timeout=20
        ) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


@dataclass
class Caddy:
    """The real Caddyfile run by a real caddy, its site and replicas moved to loopback."""

    url: str
    log: Path


@pytest.fixture
def caddy_in_front(tmp_path: Path) -> Iterator[Callable[[str, str], Caddy]]:
    if shutil.which("caddy") is None:
        pytest.skip("caddy is not installed (Debian package: caddy)")
    running: list[subprocess.Popen[bytes]] = []

    def start(bot_1: str, bot_2: str) -> Caddy:
        text = (DEPLOY / "Caddyfile").read_text(encoding="utf-8")
        text = text.replace("bot-1:8080", bot_1).replace("bot-2:8080", bot_2)
        (tmp_path / "Caddyfile").write_text(text, encoding="utf-8")
        port = free_port()
        env = {
            **os.environ,
            "COMPANERA_DOMAIN": f"http://127.0.0.1:{port}",
            "HOME": str(tmp_path),
            "XDG_DATA_HOME": str(tmp_path / "data"),
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
        }
        log = tmp_path / "caddy.log"
        with log.open("w") as out:
            running.append(
                subprocess.Popen(
                    ["caddy", "run", "--config", "Caddyfile", "--adapter", "caddyfile"],
                    cwd=tmp_path,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )
        deadline = time.monotonic() + 10
        while True:
            assert running[-1].poll() is None, log.read_text()
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    return Caddy(f"http://127.0.0.1:{port}", log)
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.02)

    yield start
    for caddy in running:
        caddy.terminate()
        caddy.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_caddy_gives_updates_to_both_replicas_in_turn_and_nothing_else(
    caddy_in_front: Callable[[str, str], Caddy],
) -> None:
    path = webhook_path()
    with FakeBot("one") as one, FakeBot("two") as two:
        caddy = caddy_in_front(one.address, two.address)
        answers = [request(caddy.url + path, b'{"update_id": 1}') for _ in range(4)]
        assert sorted(answers) == [(200, "one"), (200, "one"), (200, "two"), (200, "two")]
        for outside in ("/metrics", "/healthz", "/", path + "/x", path + "/../metrics"):
            assert request(caddy.url + outside)[0] == 404, outside
        # Either would have answered 200 to any of them: they saw nothing but updates.
        assert set(one.received) == set(two.received) == {("POST", path)}
        # Caddy 2.6 answers 502, later ones 413; either way no replica gets it whole.
        assert request(caddy.url + path, b"x" * 2_000_000)[0] in (413, 502)
        assert max(one.largest_body, two.largest_body) <= 1_000_000


def caddy_version() -> tuple[int, ...]:
    printed = subprocess.run(["caddy", "version"], capture_output=True, text=True, check=True)
    found = re.match(r"v?(\d+)\.(\d+)\.(\d+)", printed.stdout.strip())
    assert found, printed.stdout
    return tuple(int(n) for n in found.groups())


def test_caddy_gives_every_update_to_the_other_replica_when_one_is_down(
    caddy_in_front: Callable[[str, str], Caddy],
) -> None:
    if caddy_version() < (2, 11, 2):
        pytest.skip(
            "Caddy before 2.11.2 cannot retry a POST after a failed dial (caddyserver/caddy"
            "#7546); the caddy:2 image is newer"
        )
    with FakeBot("one") as one:
        caddy = caddy_in_front(one.address, f"127.0.0.1:{free_port()}")  # nothing listens
        for _ in range(4):
            assert request(caddy.url + webhook_path(), b"{}") == (200, "one")


def test_caddy_rests_a_replica_that_answered_5xx(
    caddy_in_front: Callable[[str, str], Caddy],
) -> None:
    with FakeBot("one") as one, FakeBot("two", status=503) as two:
        caddy = caddy_in_front(one.address, two.address)
        answers = [request(caddy.url + webhook_path(), b"{}") for _ in range(6)]
        assert answers.count((503, "two")) <= 1  # Telegram sends that one again later
        assert answers.count((200, "one")) >= 5
        assert len(two.received) <= 1


def test_caddy_logs_a_failed_update_without_the_secret_or_the_address(
    caddy_in_front: Callable[[str, str], Caddy],
) -> None:
    with FakeBot("one") as one, FakeBot("two") as two:
        caddy = caddy_in_front(one.address, two.address)
        answer = request(caddy.url + webhook_path(), b"{}", secret="drop-the-connection")
        assert answer[0] == 502
        deadline = time.monotonic() + 5
        while '"status":502' not in caddy.log.read_text().replace(" ", ""):
            assert time.monotonic() < deadline, caddy.log.read_text()
            time.sleep(0.02)
        text = caddy.log.read_text()
        assert "drop-the-connection" not in text
        assert "remote_ip" not in text and "client_ip" not in text


# Dockerfile


def dockerfile_stages() -> list[list[str]]:
    """The Dockerfile's instructions, continuation lines joined, one list per stage."""
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    instructions = " ".join(
        line[:-1] if line.endswith("\\") else line + "\n" for line in lines
    ).splitlines()
    stages: list[list[str]] = [[]]
    for instruction in (i.strip() for i in instructions if i.strip()):
        if instruction.startswith("FROM ") and stages[-1] != []:
            stages.append([])
        stages[-1].append(instruction)
    return stages


def test_dockerfile_builds_in_one_stage_and_runs_in_another() -> None:
    header, build, final = dockerfile_stages()
    image, digest = header
    assert re.fullmatch(r"ARG PYTHON_IMAGE=python:3\.1[1-9]-slim(-\w+)?", image)
    # Pinned by digest; empty until filled in, and then the build fails (no unpinned image).
    assert re.fullmatch(r"ARG PYTHON_DIGEST=(sha256:[0-9a-f]{64})?", digest)
    assert build[0] == "FROM ${PYTHON_IMAGE}@${PYTHON_DIGEST} AS build"
    assert final[0] == "FROM ${PYTHON_IMAGE}@${PYTHON_DIGEST}"
    assert "COPY --from=build /opt/companera /opt/companera" in final
    forbidden = re.compile(r"\b(curl|wget|apt-get|apt|gcc|build-essential|pip)\b")
    assert not [i for i in final if forbidden.search(i)], "build tools in the final image"


def test_dockerfile_runs_companera_as_a_user_with_a_healthcheck() -> None:
    final = dockerfile_stages()[-1]
    (user,) = [i.split()[1] for i in final if i.startswith("USER ")]
    assert user.split(":")[0] not in ("root", "0")
    (check,) = [i for i in final if i.startswith("HEALTHCHECK ")]
    metrics_port = Settings.model_fields["metrics_port"].default
    assert f"http://127.0.0.1:${{METRICS_PORT:-{metrics_port}}}/healthz" in check
    assert "EXPOSE 8080" in final
    assert 'ENTRYPOINT ["companera"]' in final
    assert 'CMD ["run"]' in final
    env = " ".join(i for i in final if i.startswith("ENV "))
    assert "PYTHONDONTWRITEBYTECODE=1" in env and "PYTHONUNBUFFERED=1" in env


def test_dockerfile_copies_only_what_dockerignore_lets_in() -> None:
    ignore = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert ignore[0] == "*", "the build context is a list of what goes in, not of what stays out"
    allowed = {line[1:] for line in ignore if line.startswith("!")}
    copied = {
        source
        for stage in dockerfile_stages()
        for i in stage
        if i.startswith("COPY ") and "--from=" not in i
        for source in i.split()[1:-1]
    }
    assert copied == allowed
    assert not allowed & {"data", ".git", "deploy", "tests", ".env"}


@pytest.mark.parametrize(("status", "healthy"), [(200, True), (503, False), (None, False)])
def test_the_healthcheck_command_tells_healthy_from_not(
    tmp_path: Path, status: int | None, healthy: bool
) -> None:
    (check,) = [i for i in dockerfile_stages()[-1] if i.startswith("HEALTHCHECK ")]
    command = check.split(" CMD ", 1)[1]
    (tmp_path / "python").symlink_to(sys.executable)  # the image's PATH has the venv's python

    class Health(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(status if self.path == "/healthz" and status else 404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Health)
    port = server.server_address[1]
    if status is None:
        server.server_close()  # nothing listens on the port
    else:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        env = {"PATH": f"{tmp_path}:{os.environ['PATH']}", "METRICS_PORT": str(port)}
        result = subprocess.run(["/bin/sh", "-c", command], env=env, capture_output=True)
    finally:
        if status is not None:
            server.shutdown()
            server.server_close()
    assert (result.returncode == 0) is healthy, result.stderr
    assert result.returncode in (0, 1)  # Docker reads any other code as an error of its own


# systemd

UNITS = {"companera.service": "companera.service", "companera@.service": "companera@8081.service"}
SANDBOX = {
    "DynamicUser": "yes",
    "UMask": "0077",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "PrivateDevices": "yes",
    "NoNewPrivileges": "yes",
    "CapabilityBoundingSet": "",
    "ProtectKernelTunables": "yes",
    "ProtectKernelModules": "yes",
    "ProtectKernelLogs": "yes",
    "ProtectControlGroups": "yes",
    "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
    "RestrictNamespaces": "yes",
    "LockPersonality": "yes",
    "MemoryDenyWriteExecute": "yes",
    "SystemCallArchitectures": "native",
    "SystemCallFilter": "@system-service",
}


def unit_service_section(unit: str) -> dict[str, list[str]]:
    settings: dict[str, list[str]] = {}
    section = ""
    for line in (DEPLOY / unit).read_text(encoding="utf-8").splitlines():
        if line.startswith("["):
            section = line
        elif section == "[Service]" and "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            settings.setdefault(key, []).append(value)
    return settings


@pytest.mark.parametrize("unit", UNITS)
def test_unit_is_sandboxed(unit: str) -> None:
    settings = unit_service_section(unit)
    for key, value in SANDBOX.items():
        assert value in settings.get(key, []), f"{unit}: {key}={value}"
    assert settings["EnvironmentFile"] == ["/etc/companera/env"]


def test_each_replica_listens_on_its_instance_port_and_refuses_sqlite() -> None:
    settings = unit_service_section("companera@.service")
    (start,) = settings["ExecStart"]
    assert shlex.split(start)[:3] == ["/usr/bin/env", "PORT=%i", "METRICS_PORT=1%i"]
    assert "StateDirectory" not in settings
    (guard,) = settings["ExecStartPre"]
    # systemd turns $$ into $ and %i into the instance's name before running it.
    argv = [arg.replace("$$", "$").replace("%i", "8081") for arg in shlex.split(guard)]
    for url, starts in [
        ("postgresql://companera:x@db.example.org/companera", True),
        ("postgres://companera:x@localhost/companera", True),
        ("sqlite:////var/lib/companera/companera.db", False),
        (None, False),
    ]:
        env = {"PATH": os.environ["PATH"]} | ({"DATABASE_URL": url} if url else {})
        result = subprocess.run(argv, env=env, capture_output=True, text=True)
        assert (result.returncode == 0) is starts, url
        assert starts or "DATABASE_URL=postgresql://" in result.stderr


def unit_root(tmp_path: Path, unit: str) -> Path:
    """A file system root for systemd-analyze: systemd's own units, ours, and its programs.

    Programs of the system (/bin/sh) are copied from this machine, so a unit naming one this
    machine lacks fails; the bot's own (/opt/companera/bin/companera, the backup script in
    /usr/local/sbin), which only an installation makes, are stand-ins.
    """
    root = tmp_path / "root"
    units = root / "etc/systemd/system"
    units.mkdir(parents=True)
    shutil.copytree("/usr/lib/systemd/system", root / "usr/lib/systemd/system", symlinks=True)
    shutil.copy(DEPLOY / unit, units)
    for key, values in unit_service_section(unit).items():
        for value in values if key.startswith("Exec") else []:
            program = value.split()[0].lstrip("-@+!:")
            target = root / program.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            if program.startswith(("/opt/companera/", "/usr/local/sbin/companera-")):
                shutil.copy("/bin/true", target)
            else:
                assert os.access(program, os.X_OK), f"{unit} runs {program}, which is missing"
                shutil.copy(program, target)
    return root


@pytest.fixture
def systemd_analyze() -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed (Debian package: systemd)")


def analyze(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["systemd-analyze", *args], capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.usefixtures("systemd_analyze")
@pytest.mark.parametrize(("unit", "instance"), UNITS.items())
def test_systemd_analyze_verify_finds_nothing_to_say(
    tmp_path: Path, unit: str, instance: str
) -> None:
    root = unit_root(tmp_path, unit)
    result = analyze("verify", f"--root={root}", "--man=no", instance)
    # verify exits 0 even for unknown keys; it only says so.
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


@pytest.mark.usefixtures("systemd_analyze")
@pytest.mark.parametrize(("unit", "instance"), UNITS.items())
def test_systemd_rates_the_units_exposure_low(tmp_path: Path, unit: str, instance: str) -> None:
    root = unit_root(tmp_path, unit)
    # Exposure is 0 (locked down) to 10 (nothing); --threshold is in tenths.
    result = analyze("security", "--offline=yes", "--threshold=20", f"--root={root}", instance)
    if "--offline" in result.stderr:
        pytest.skip("this systemd-analyze cannot rate a unit offline")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
