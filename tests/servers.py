"""A real clinsafe server for tests that need one from outside: the demo, migrated and
seeded into its own SQLite database, served on a free loopback port with its background
worker."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

CLINSAFE = [sys.executable, "-m", "clinsafe.cli"]


@dataclass
class DemoServer:
    url: str
    env: dict[str, str]

    def clinsafe(self, *args: str) -> str:
        """Run a `clinsafe` command against this server's database."""
        return subprocess.run(
            [*CLINSAFE, *args], env=self.env, check=True, capture_output=True, text=True,
            timeout=300,
        ).stdout  # fmt: skip


@contextmanager
def demo_server(data: Path) -> Iterator[DemoServer]:
    env = {
        **os.environ,
        "CLINSAFE_DATA_DIR": str(data),
        "DATABASE_URL": f"sqlite:///{data / 'db.sqlite3'}",
        "CLINSAFE_ENV": "development",
    }
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = DemoServer(f"http://127.0.0.1:{port}", env)
    server.clinsafe("migrate", "-v0")
    server.clinsafe("seed-demo")
    log_path = data / "server.log"
    with log_path.open("w") as log:
        process, worker = (
            subprocess.Popen([*CLINSAFE, *command], env=env, stdout=log, stderr=subprocess.STDOUT)
            for command in (
                ["runserver", "--noreload", f"127.0.0.1:{port}"],
                ["db_worker", "--no-reload", "--interval", "0.2"],
            )
        )
        try:
            _wait_until_up(server.url, process, log_path)
            yield server
        finally:
            for running in (process, worker):
                running.terminate()
                running.wait(timeout=10)


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/login/", timeout=2)  # noqa: S310
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"The server did not start:\n{log.read_text()}")
            time.sleep(0.2)
