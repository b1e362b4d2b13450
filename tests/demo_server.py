"""
The demo server, started as ``make demo`` starts it, on a fresh demo folder: for the tests that talk to it over HTTP
(the demo's own tests, the browser tests, schemathesis).

``CERTEXCEPTIONS_TEST_PORTS`` (e.g. ``8301-8309``) keeps the servers on those ports; by default the system picks.
"""
from __future__ import annotations

import contextlib
import dataclasses
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

CLI = [sys.executable, "-m", "certexceptions_plugin.standalone"]
START_TIMEOUT = 180  # seconds: the first start migrates and seeds a new database


def free_port() -> int:
    """A port nothing listens on at 127.0.0.1, among ``CERTEXCEPTIONS_TEST_PORTS`` when it is set."""
    first, _, last = (os.environ.get("CERTEXCEPTIONS_TEST_PORTS") or "0").partition("-")
    for port in range(int(first), int(last or first) + 1):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError(f"no free port in CERTEXCEPTIONS_TEST_PORTS={os.environ['CERTEXCEPTIONS_TEST_PORTS']}")


def demo_env(**variables) -> dict[str, str]:
    """The environment a user's shell has: none of the test run's settings (plus ``variables``)."""
    unset = ("CERTEXCEPTIONS_TEST_DB", "DJANGO_SETTINGS_MODULE", "CERTEXCEPTIONS_HOME", "CERTEXCEPTIONS_DB",
             "CERTEXCEPTIONS_PORT")
    return {**{k: v for k, v in os.environ.items() if k not in unset}, **variables}


def run_cli(*args, home, cwd=None) -> subprocess.CompletedProcess:
    """The demo's command line on the demo folder ``home``."""
    return subprocess.run([*CLI, *args], env=demo_env(CERTEXCEPTIONS_HOME=str(home)), cwd=cwd,
                          capture_output=True, text=True, timeout=120)


@dataclasses.dataclass(frozen=True)
class DemoServer:
    port: int
    home: Path
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def db(self) -> Path:
        return self.home / "demo.sqlite3"

    def output(self) -> str:
        """What ``serve`` has printed so far: the banner, with its JWTs and walkthrough, then the server's log."""
        return self.log.read_text(encoding="utf-8", errors="replace")

    def token(self, username: str) -> str:
        """A JWT for ``username`` that this server accepts (its issuer names the port)."""
        completed = run_cli("token", username, "--port", str(self.port), home=self.home)
        if completed.returncode:
            raise RuntimeError(completed.stderr)
        return completed.stdout.strip()


@contextlib.contextmanager
def serve_demo(home: Path, *, cwd: Path | None = None):
    """``serve --port P`` with the demo folder ``home``, from ``cwd`` (default ``home``), until it accepts requests."""
    server = DemoServer(port=free_port(), home=home, log=home / "server.log")
    with server.log.open("w") as log:
        process = subprocess.Popen([*CLI, "serve", "--port", str(server.port)],
                                   env=demo_env(CERTEXCEPTIONS_HOME=str(home), PYTHONUNBUFFERED="1"),
                                   cwd=cwd or home, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_until_it_listens(server, process)
            yield server
        finally:
            process.terminate()
            process.wait(timeout=30)


def _wait_until_it_listens(server: DemoServer, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline and process.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", server.port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the demo server did not start:\n{server.output()}")
