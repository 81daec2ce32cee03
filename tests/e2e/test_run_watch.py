"""`make run` watches what it started: a nats-server that dies is restarted (a few times, then
everything stops with a message); a service that dies is reported with the error lines of its
log. Real processes, as `make run` starts them."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx
import pytest

from shared.natsd import free_port
from shared.settings import SERVICE_NAMES
from tests.e2e.test_processes import STARTUP_TIMEOUT_S, Runner, alive, children_of, run_env
from tools.run import NATS_RESTARTS, present_services

pytestmark = pytest.mark.slow
__all__ = ["run_env"]  # the fixture


def runner_args(data_dir: Path, ports: dict[str, int], extra: list[str]) -> list[str]:
    return ["--data-dir", str(data_dir), "--nats-port", str(free_port()), "--no-demo",
            "--ready-timeout", str(STARTUP_TIMEOUT_S - 20), *extra,
            *(f"--port={name}={port}" for name, port in ports.items())]


def nats_pid(runner: Runner) -> int | None:
    for pid in children_of(runner.process.pid):
        try:
            if b"nats-server" in Path(f"/proc/{pid}/cmdline").read_bytes() and alive(pid):
                return pid
        except OSError:
            continue
    return None


def wait_for(condition, timeout: float, what: str, runner: Runner):  # noqa: ANN001, ANN201
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"{what} did not happen within {timeout}s:\n{runner.output}")


def test_a_dead_nats_server_is_restarted_and_one_that_keeps_dying_stops_everything(
        tmp_path, run_env):
    env, extra = run_env
    ports = {name: free_port() for name in SERVICE_NAMES}
    runner = Runner(runner_args(tmp_path / "data", ports, extra), env)
    seen: list[int] = []
    try:
        runner.wait_ready(STARTUP_TIMEOUT_S)
        seen = children_of(runner.process.pid)
        first = wait_for(lambda: nats_pid(runner), 10, "nats-server found", runner)
        os.kill(first, signal.SIGKILL)
        second = wait_for(lambda: (p := nats_pid(runner)) and p != first and p, 30,
                          "nats-server restarted", runner)
        assert f"restarting it (1 of {NATS_RESTARTS}" in runner.output
        wait_for(lambda: "nats-server is back" in runner.output, 30, "back message", runner)
        service = present_services()[0]
        url = f"http://127.0.0.1:{ports[service]}/readyz"

        def reconnected() -> bool:
            try:
                return httpx.get(url, timeout=5).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(reconnected, 60, f"{service} ready again after the restart", runner)
        assert runner.process.poll() is None  # the services were never stopped

        pid = second
        for n in range(2, NATS_RESTARTS + 2):  # it keeps dying: restarted, until the limit
            seen.append(pid)
            os.kill(pid, signal.SIGKILL)
            if n > NATS_RESTARTS:
                break
            pid = wait_for(lambda old=pid: (p := nats_pid(runner)) and p != old and p, 30,
                           f"restart {n}", runner)
        assert runner.process.wait(60) == 1, runner.output
        assert "giving up, stopping everything" in runner.output
        assert "stopped." in runner.output
        deadline = time.monotonic() + 5
        while any(alive(p) for p in seen) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [p for p in seen if alive(p)], "child processes left running"
    finally:
        runner.kill_all(seen)


def test_a_service_that_dies_is_reported_with_its_traceback_not_its_last_lines(
        tmp_path, run_env):
    """A calendar file that does not parse: the services die at start; the output shows the
    traceback and the exception of this run, not the older lines of the log."""
    env, extra = run_env
    data_dir = tmp_path / "data"
    (data_dir / "calendar").mkdir(parents=True)
    (data_dir / "calendar" / "2027.json").write_text("{not json")
    (data_dir / "logs").mkdir()
    old_run = ("Traceback (most recent call last):\n  File \"old.py\", line 1\n"
               "OldError: from an earlier run\n"
               + 'INFO:     127.0.0.1:1 - "GET /readyz HTTP/1.1" 200 OK\n' * 40)
    for name in SERVICE_NAMES:
        (data_dir / "logs" / f"{name}.log").write_text(old_run)
    ports = {name: free_port() for name in SERVICE_NAMES}
    runner = Runner(runner_args(data_dir, ports, extra), env)
    try:
        assert runner.process.wait(STARTUP_TIMEOUT_S) == 1, runner.output
        output = runner.output
        assert "exited with code" in output and "error lines of" in output, output
        assert "Traceback (most recent call last):" in output
        assert "2027.json" in output and "ValueError" in output
        assert "OldError" not in output and "GET /readyz" not in output
    finally:
        runner.kill_all([])
