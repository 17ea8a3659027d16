"""Several `companera run` processes in webhook mode on one PostgreSQL, behind a small
round-robin forwarder that stands for the load balancer: for the replica tests and the
replica benchmark. The emulator (in the caller's process) posts updates to the forwarder.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import os
import re
import signal
import socket
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from aiohttp import web

from bot.emulator import Emulator

SECRET = "replica-test-secret"
HEADER = "X-Telegram-Bot-Api-Secret-Token"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Forwarder:
    """POSTs each update to the next replica in turn; one that can't be reached is skipped,
    and with none reachable the answer is 502 (Telegram then tries again)."""

    ports: list[int]
    port: int = field(default_factory=free_port)
    served: list[tuple[int, int]] = field(default_factory=list)  # (update_id, port)

    async def __aenter__(self) -> Forwarder:
        self._turn = itertools.cycle(range(len(self.ports)))
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        app = web.Application()
        app.router.add_post("/telegram", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self._runner.cleanup()
        await self._http.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/telegram"

    async def _forward(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() == HEADER.lower()}
        headers["Content-Type"] = "application/json"
        for _ in range(len(self.ports)):
            port = self.ports[next(self._turn)]
            try:
                async with self._http.post(
                    f"http://127.0.0.1:{port}/telegram", data=body, headers=headers
                ) as answer:
                    if answer.status == 200:
                        self.served.append((_update_id(body), port))
                    return web.Response(status=answer.status)
            except (aiohttp.ClientError, TimeoutError):
                continue
        return web.Response(status=502)


def _update_id(body: bytes) -> int:
    found = re.search(rb'"update_id":\s*(\d+)', body)
    return int(found.group(1)) if found else -1


@dataclass
class Replicas:
    """N bot processes; their stderr goes to files in `logs`."""

    emulator: Emulator
    database_url: str
    key: bytes
    logs: Path
    count: int = 3
    settings: dict[str, str] = field(default_factory=dict)
    ports: list[int] = field(default_factory=list)
    processes: dict[int, asyncio.subprocess.Process] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.ports = [free_port() for _ in range(self.count)]
        # Each replica's /healthz and /metrics, on a port of their own.
        self.metrics_ports = {port: free_port() for port in self.ports}
        self.forwarder = Forwarder(self.ports)

    async def __aenter__(self) -> Replicas:
        await self.forwarder.__aenter__()
        for port in self.ports:
            await self.start(port)
        await asyncio.gather(*(self.healthy(port) for port in self.ports))
        return self

    async def __aexit__(self, *_exc: object) -> None:
        for process in self.processes.values():
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                await asyncio.wait_for(process.wait(), 20)
            except TimeoutError:
                process.kill()
                await process.wait()
        await self.forwarder.__aexit__()

    def env(self, port: int) -> dict[str, str]:
        return {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": self.emulator.token,
            "TELEGRAM_API_URL": self.emulator.base_url,
            "DATABASE_URL": self.database_url,
            "COMPANERA_MASTER_KEY": base64.b64encode(self.key).decode(),
            "WEBHOOK_URL": self.forwarder.url,
            "WEBHOOK_SECRET": SECRET,
            "PORT": str(port),
            "METRICS_PORT": str(self.metrics_ports[port]),
            "COMPANERA_DATA_DIR": str(self.logs),
            "COMPANERA_LOG_FORMAT": "json",
            **self.settings,
        }

    async def start(self, port: int) -> None:
        with (self.logs / f"replica-{port}.log").open("a") as log:
            self.processes[port] = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot.cli",
                "run",
                env=self.env(port),
                stdout=asyncio.subprocess.DEVNULL,
                stderr=log,
            )

    async def healthy(self, port: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                process = self.processes[port]
                if process.returncode is not None:
                    raise AssertionError(f"replica {port} exited: {self.log(port)[-2000:]}")
                try:
                    async with http.get(f"{self.monitoring(port)}/healthz") as answer:
                        if answer.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.2)
        raise AssertionError(f"replica {port} not healthy: {self.log(port)[-2000:]}")

    async def metric(self, name: str) -> float:
        """A Prometheus metric summed over the live replicas' /metrics (every label)."""
        total = 0.0
        async with aiohttp.ClientSession() as http:
            for port, process in self.processes.items():
                if process.returncode is not None:
                    continue
                async with http.get(f"{self.monitoring(port)}/metrics") as answer:
                    for line in (await answer.text()).splitlines():
                        if line.split("{")[0].split(" ")[0] == name:
                            total += float(line.rsplit(" ", 1)[1])
        return total

    def monitoring(self, port: int) -> str:
        """Where the replica listening on `port` serves /healthz and /metrics."""
        return f"http://127.0.0.1:{self.metrics_ports[port]}"

    def kill(self, port: int) -> None:
        """kill -9: no goodbye, claims and transactions left as they were."""
        self.processes[port].kill()

    def name(self, port: int) -> str:
        """The name under which a replica claims rows (see bot/app.py)."""
        return f"{socket.gethostname()[:40]}:{port}"

    def log(self, port: int) -> str:
        return (self.logs / f"replica-{port}.log").read_text()

    def logs_text(self) -> str:
        return "".join(self.log(port) for port in self.ports)


def busiest_second(times: list[float], window: float = 1.0) -> int:
    """The most messages within any `window` seconds (sliding, not calendar seconds)."""
    ordered = sorted(times)
    most, start = 0, 0
    for end, at in enumerate(ordered):
        while ordered[start] <= at - window:
            start += 1
        most = max(most, end - start + 1)
    return most
