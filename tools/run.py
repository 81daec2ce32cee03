"""The embedded default: NATS and every service as separate processes (``make run``).

``python -m tools.run [--data-dir ./data] [--county 230722] [--base-port 8001] [--no-demo]``.
Ctrl-C or SIGTERM stops them all; if a service dies, the others are stopped, the error lines of
its log are shown and the exit code is 1. A nats-server that dies is restarted, a few times.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

import httpx

from shared.auth import Role, load_or_create_secret
from shared.divisions import name_of
from shared.natsd import NatsServer
from shared.settings import DEFAULT_PORTS, SERVICE_NAMES, Settings
from tools.demo import (
    DEMO_ROLES,
    demo_token,
    find_demo_user,
    load_demo_data,
    load_demo_investigation,
)
from tools.demo_payees import load_demo_payees
from tools.demo_policy import load_demo_policy
from tools.logscan import error_lines

ROOT = Path(__file__).resolve().parent.parent
READY_BANNER = "Press Ctrl-C to stop."
DEFAULT_NATS_PORT = 4223
STOP_TIMEOUT_S = 20.0
NATS_RESTARTS = 3
NATS_RESTART_WINDOW_S = 600.0
"""nats-server is restarted when it dies, at most NATS_RESTARTS times in this window."""


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"ASSIST_RUN_{name}", default)


@dataclass
class RunConfig:
    """What to start, where, and on which ports."""

    data_dir: Path
    county: str
    host: str
    ports: dict[str, int]
    nats_port: int
    demo: bool = True
    schema_prefix: str | None = None
    ready_timeout_s: float = 120.0

    @property
    def local_host(self) -> str:
        """The address to reach the services from this machine."""
        return "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host

    def url(self, service: str) -> str:
        return f"http://{self.local_host}:{self.ports[service]}"


def parse_args(argv: list[str] | None = None) -> RunConfig:
    """Options, with ASSIST_DATA_DIR / ASSIST_COUNTY / ASSIST_RUN_* as defaults."""
    p = argparse.ArgumentParser(prog="python -m tools.run", description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", type=Path,
                   default=Path(os.environ.get("ASSIST_DATA_DIR", "data")),
                   help="the one data folder: SQLite files, JetStream, logs, jwt-secret "
                   "(default: $ASSIST_DATA_DIR or ./data)")
    p.add_argument("--county", default=os.environ.get("ASSIST_COUNTY", "230722"),
                   help="county code of this installation (default: 230722 嘉荫县)")
    p.add_argument("--host", default=env("HOST", "127.0.0.1"),
                   help="address the services listen on (default: 127.0.0.1)")
    p.add_argument("--base-port", type=int, default=int(env("BASE_PORT", "0") or 0),
                   help="ports base, base+1, ... in the order " + ", ".join(SERVICE_NAMES))
    p.add_argument("--port", action="append", default=[], metavar="SERVICE=PORT",
                   help="one service's port, e.g. --port intake=9001 (repeatable)")
    p.add_argument("--nats-port", type=int, default=int(env("NATS_PORT", "0") or 0)
                   or DEFAULT_NATS_PORT, help=f"NATS port (default: {DEFAULT_NATS_PORT})")
    p.add_argument("--no-demo", action="store_true", default=env("NO_DEMO") == "1",
                   help="do not load the demo applications")
    p.add_argument("--schema-prefix", default=env("SCHEMA_PREFIX"),
                   help="PostgreSQL only: schema <prefix>_<service> for each service")
    p.add_argument("--ready-timeout", type=float, default=float(env("READY_TIMEOUT") or 120),
                   help="seconds to wait for every /readyz (default: 120)")
    args = p.parse_args(argv)
    ports = dict(DEFAULT_PORTS)
    if args.base_port:
        ports = {name: args.base_port + i for i, name in enumerate(SERVICE_NAMES)}
    for name in SERVICE_NAMES:
        from_env = env(f"{name.upper()}_PORT")
        if from_env:
            ports[name] = int(from_env)
    for item in args.port:
        name, _, value = item.partition("=")
        if name not in SERVICE_NAMES or not value.isdigit():
            p.error(f"--port {item}: expected SERVICE=PORT with SERVICE one of "
                    f"{', '.join(SERVICE_NAMES)}")
        ports[name] = int(value)
    return RunConfig(data_dir=args.data_dir.resolve(), county=args.county, host=args.host,
                     ports=ports, nats_port=args.nats_port, demo=not args.no_demo,
                     schema_prefix=args.schema_prefix, ready_timeout_s=args.ready_timeout)


def present_services() -> list[str]:
    """The services whose code exists in services/<name>/app.py."""
    return [name for name in SERVICE_NAMES if (ROOT / "services" / name / "app.py").exists()]


def port_is_free(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
        return True


def tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def log_size(path: Path) -> int:
    """Where this run's part of a log kept across runs begins."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def why_it_died(path: Path, start: int) -> str:
    """The error lines of this run's part of a log (tracebacks, error lines), else its tail."""
    lines = error_lines(path, start=start)
    if lines:
        return f"error lines of {path}:\n" + "\n".join(lines)
    return f"no error lines in {path}; its last lines:\n{tail(path)}"


@dataclass
class ServiceProcess:
    """One running service: its uvicorn process and its log file."""

    name: str
    url: str
    log_path: Path
    process: subprocess.Popen[bytes]
    log_start: int = 0
    """Where this run's lines begin in the log."""


class StartupFailed(Exception):
    """Something could not start; the message says what."""


@dataclass
class Runner:
    """Starts NATS and the services, watches them, and stops them all."""

    config: RunConfig
    services: list[ServiceProcess] = field(default_factory=list)
    nats: NatsServer | None = None
    stop_requested: bool = False
    stopping: bool = False
    nats_restarts: list[float] = field(default_factory=list)
    nats_log_start: int = 0

    def out(self, message: str = "") -> None:
        print(message, flush=True)

    def settings(self, service: str = "run") -> Settings:
        return Settings(service=service, data_dir=self.config.data_dir, county=self.config.county)

    def on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self.stopping:  # a second Ctrl-C while stopping: no more waiting
            for service in self.services:
                if service.process.poll() is None:
                    service.process.kill()
            return
        self.stop_requested = True

    def start(self) -> None:
        cfg = self.config
        logs = cfg.data_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        names = present_services()
        missing = [n for n in SERVICE_NAMES if n not in names]
        if missing:
            self.out(f"warning: not written yet, not started: {', '.join(missing)}")
        busy = [f"{n} {cfg.ports[n]}" for n in names if not port_is_free(cfg.host, cfg.ports[n])]
        if not port_is_free("127.0.0.1", cfg.nats_port):
            busy.append(f"NATS {cfg.nats_port}")
        if busy:
            raise StartupFailed(f"ports in use: {', '.join(busy)} (another `make run`?); "
                                "choose others with --base-port, --port SERVICE=PORT, --nats-port")
        load_or_create_secret(self.settings())  # once, before the services race to create it
        self.nats = NatsServer(cfg.data_dir / "nats", cfg.nats_port, log_file=logs / "nats.log")
        self.nats_log_start = log_size(logs / "nats.log")
        try:
            self.nats.start()
        except (OSError, RuntimeError) as exc:
            raise StartupFailed(
                f"nats-server did not start: {exc}\n{tail(logs / 'nats.log')}"
            ) from exc
        for name in names:
            self.services.append(self.spawn(name, logs / f"{name}.log"))

    def spawn(self, name: str, log_path: Path) -> ServiceProcess:
        cfg = self.config
        assert self.nats is not None
        child_env = dict(os.environ)
        child_env |= {"ASSIST_DATA_DIR": str(cfg.data_dir), "ASSIST_COUNTY": cfg.county,
                      "ASSIST_NATS_URL": self.nats.url, "PYTHONUNBUFFERED": "1"}
        child_env.pop("ASSIST_SERVICE", None)
        child_env.pop("ASSIST_DB_SCHEMA", None)  # one schema per service, never one for all
        if cfg.schema_prefix:
            child_env["ASSIST_DB_SCHEMA"] = f"{cfg.schema_prefix}_{name}"
        command = [sys.executable, "-m", "uvicorn", "--factory",
                   f"services.{name}.app:create_app", "--host", cfg.host,
                   "--port", str(cfg.ports[name]), "--no-server-header"]
        start = log_size(log_path)
        with open(log_path, "ab") as log:
            process = subprocess.Popen(command, cwd=ROOT, env=child_env, stdout=log,
                                       stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        return ServiceProcess(name, cfg.url(name), log_path, process, log_start=start)

    def dead(self) -> list[ServiceProcess]:
        return [s for s in self.services if s.process.poll() is not None]

    def report_dead(self, dead: list[ServiceProcess]) -> None:
        for service in dead:
            self.out(f"error: {service.name} exited with code {service.process.returncode}; "
                     + why_it_died(service.log_path, service.log_start))

    def nats_alive(self) -> bool:
        """Restart nats-server if it died (the services reconnect by themselves), at most
        NATS_RESTARTS times in NATS_RESTART_WINDOW_S; False when it keeps dying."""
        nats = self.nats
        if nats is None or nats.process is None or nats.process.poll() is None:
            return True
        log_path = self.config.data_dir / "logs" / "nats.log"
        code, why = nats.process.returncode, why_it_died(log_path, self.nats_log_start)
        now = time.monotonic()
        self.nats_restarts = [t for t in self.nats_restarts if now - t < NATS_RESTART_WINDOW_S]
        window = f"{NATS_RESTART_WINDOW_S / 60:.0f} min"
        if len(self.nats_restarts) >= NATS_RESTARTS:
            self.out(f"error: nats-server exited with code {code} after {NATS_RESTARTS} restarts "
                     f"in {window}: giving up, stopping everything; {why}")
            return False
        self.nats_restarts.append(now)
        self.out(f"warning: nats-server exited with code {code}; restarting it "
                 f"({len(self.nats_restarts)} of {NATS_RESTARTS} in {window}); {why}")
        self.nats_log_start = log_size(log_path)
        try:
            nats.start()
        except (OSError, RuntimeError) as exc:  # tried again at the next look, within the limit
            self.out(f"error: nats-server did not start again: {exc}")
        else:
            self.out(f"nats-server is back on {nats.url}; the services reconnect by themselves")
        return True

    def wait_ready(self) -> bool:
        """Poll every /readyz until all answer 200; False if stopped, dead or too slow."""
        deadline = time.monotonic() + self.config.ready_timeout_s
        waiting = {s.name: s for s in self.services}
        with httpx.Client(timeout=2.0) as client:
            while waiting:
                if self.stop_requested:
                    return False
                dead = self.dead()
                if dead:
                    self.report_dead(dead)
                    return False
                if not self.nats_alive():
                    return False
                if time.monotonic() > deadline:
                    self.out(f"error: not ready after {self.config.ready_timeout_s:.0f}s: "
                             f"{', '.join(waiting)} (see {self.config.data_dir / 'logs'})")
                    return False
                for name, service in list(waiting.items()):
                    try:
                        if client.get(f"{service.url}/readyz").status_code == 200:
                            del waiting[name]
                    except httpx.HTTPError:
                        pass
                time.sleep(0.3)
        return True

    def load_demo(self) -> str:
        if not self.config.demo:
            return "demo data: not loaded (--no-demo)"
        intake = next((s for s in self.services if s.name == "intake"), None)
        if intake is None:
            return "demo data: not loaded (the intake service is not there yet)"
        load = load_demo_data(intake.url, self.settings(), say=self.out)
        register = f"demo division register: {load.register}\n" if load.register else ""
        verification = next((s for s in self.services if s.name == "verification"), None)
        investigation = ("\ndemo investigation: " + load_demo_investigation(
            verification.url, self.settings(), load.created, say=self.out)
            if verification is not None else "")
        if load.skipped:
            return f"{register}demo data: {load.skipped}{investigation}"
        lines = [f"{register}demo data (演示数据, invented people): {len(load.created)} "
                 "applications" + (f", {len(load.errors)} not loaded" if load.errors else "")]
        lines += [f"  {c['number'] or c['id']}  {c['status']:<20} {c['title']}"
                  for c in load.created]
        lines += [f"  referral {r['id']}  {r['status']}, follow up by {r['due']}  {r['title']}"
                  for r in load.referrals]
        return "\n".join(lines) + investigation

    def load_demo_policy(self) -> str:
        """The demo policy parameters, urban and rural, published into approval."""
        approval = next((s for s in self.services if s.name == "approval"), None)
        if not self.config.demo or approval is None:
            return ""
        return "\ndemo policy parameters: " + load_demo_policy(approval.url, self.settings(),
                                                               say=self.out)

    def load_demo_payees(self) -> str:
        """The demo township's cases taken on to the roll and the card register."""
        if not self.config.demo:
            return ""
        urls = {s.name: s.url for s in self.services}
        return "\ndemo payees: " + load_demo_payees(urls, self.settings(), say=self.out)

    def banner(self, demo_summary: str) -> str:
        cfg = self.config
        assert self.nats is not None
        county_name = name_of(cfg.county) or ""
        rows = [f"assist is running: county {cfg.county} {county_name}, data in {cfg.data_dir}",
                "", f"  {'service':<14}{'address':<26}API docs"]
        rows += [f"  {s.name:<14}{s.url:<26}{s.url}/docs" for s in self.services]
        rows.append(f"  {'nats':<14}{self.nats.url:<26}JetStream in {cfg.data_dir / 'nats'}")
        missing = [n for n in SERVICE_NAMES if n not in {s.name for s in self.services}]
        if missing:
            rows.append(f"  not written yet: {', '.join(missing)}")
        rows += ["", demo_summary, ""]
        intake = next((s.url for s in self.services if s.name == "intake"), None)
        try:
            user = find_demo_user(Role.caseworker, county=cfg.county)
        except LookupError:
            user = None
        if user is not None:
            token = demo_token(self.settings(), user)
            rows += [f"Demo token: {user.name}, {user.role} of {user.division}, valid 12 h",
                     f"  {token}"]
            if intake:
                rows.append(f"  curl -H 'Authorization: Bearer <token>' "
                            f"{intake}/api/v1/applications")
            rows.append("")
        rows += ["Other demo users: make token ROLE=<role> DIVISION=<code>  (list them: "
                 "python -m tools.token --list)", f"  roles: {', '.join(DEMO_ROLES)}",
                 f"Logs: {cfg.data_dir / 'logs'}/<service>.log", "", READY_BANNER]
        return "\n".join(rows)

    def watch(self) -> int:
        """Wait for Ctrl-C/SIGTERM (0), a dead service or a nats-server that keeps dying (1)."""
        while not self.stop_requested:
            dead = self.dead()
            if dead:
                self.report_dead(dead)
                return 1
            if not self.nats_alive():
                return 1
            time.sleep(0.3)
        return 0

    def stop(self) -> None:
        """Services first (SIGTERM, then SIGKILL after a timeout), then NATS."""
        self.stopping = True
        running = [s for s in self.services if s.process.poll() is None]
        if running:
            self.out(f"stopping {', '.join(s.name for s in running)} ...")
        for service in running:
            service.process.terminate()
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for service in running:
            try:
                service.process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.out(f"warning: {service.name} did not stop in {STOP_TIMEOUT_S:.0f}s: killed")
                service.process.kill()
                service.process.wait(5)
        if self.nats is not None:
            self.nats.stop()
        if self.nats is not None or running:
            self.out("stopped.")

    def run(self) -> int:
        previous = {sig: signal.signal(sig, self.on_signal)
                    for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            try:
                self.start()
            except StartupFailed as exc:
                self.out(f"error: {exc}")
                return 1
            if not self.wait_ready():
                return 0 if self.stop_requested and not self.dead() else 1
            demo_summary = (self.load_demo() + self.load_demo_policy()
                            + self.load_demo_payees())
            self.out(self.banner(demo_summary))
            return self.watch()
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def main(argv: list[str] | None = None) -> int:
    return Runner(parse_args(argv)).run()


if __name__ == "__main__":
    sys.exit(main())
