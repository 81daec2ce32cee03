"""The system started the way `make run` starts it: NATS and each service as a separate process.

On PostgreSQL (ASSIST_TEST_DATABASE_URL set) the services run there, in schemas of this test.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from services.disbursement.months.rules import open_month
from shared.natsd import free_port
from shared.settings import SERVICE_NAMES, Settings
from tests.conftest import TEST_DATABASE_URL, drop_schemas
from tools.demo import demo_applications, demo_token, find_demo_user
from tools.demo_payees import TEMPORARY, demo_account_number, demo_township
from tools.run import READY_BANNER, ROOT, present_services

pytestmark = pytest.mark.slow

STARTUP_TIMEOUT_S = 240.0
STOP_TIMEOUT_S = 60.0


def children_of(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """True if the process exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class Runner:
    """`python -m tools.run` in its own process group, its output collected by a thread."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.lines: list[str] = []
        self.ready = threading.Event()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tools.run", *args], cwd=ROOT, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True, text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))
            if READY_BANNER in line:
                self.ready.set()

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not self.ready.wait(0.5):
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"tools.run never got ready (exit {self.process.poll()}):\n"
                            f"{self.output}")

    def kill_all(self, pids: list[int]) -> None:
        """Leave nothing behind: the whole process group, then any child seen before."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        for pid in pids:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def drop_schemas_now(url: str, schemas: list[str]) -> None:
    """Drop this test's schemas in a thread: pytest's event loop stays untouched."""
    worker = threading.Thread(target=asyncio.run, args=(drop_schemas(url, schemas),))
    worker.start()
    worker.join(60)


@pytest.fixture
def run_env() -> Iterator[tuple[dict[str, str], list[str]]]:
    """The environment of the runner, and its extra options (PostgreSQL schemas)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSIST_")}
    extra: list[str] = []
    schemas: list[str] = []
    if TEST_DATABASE_URL:
        prefix = f"p{uuid.uuid4().hex[:8]}"
        env["ASSIST_DATABASE_URL"] = TEST_DATABASE_URL
        extra = ["--schema-prefix", prefix]
        schemas = [f"{prefix}_{name}" for name in SERVICE_NAMES]
    yield env, extra
    if TEST_DATABASE_URL:
        drop_schemas_now(TEST_DATABASE_URL, schemas)


def test_make_run_starts_every_service_as_a_process_and_ctrl_c_stops_them_all(
    tmp_path: Path, run_env: tuple[dict[str, str], list[str]]
) -> None:
    """Every service answers /healthz, /readyz and /docs, the demo data goes in through intake;
    SIGINT stops all, exit code 0."""
    env, extra = run_env
    services = present_services()
    assert "verification" in services
    ports = {name: free_port() for name in SERVICE_NAMES}
    data_dir = tmp_path / "data"
    args = ["--data-dir", str(data_dir), "--nats-port", str(free_port()),
            "--ready-timeout", str(STARTUP_TIMEOUT_S - 20), *extra,
            *(f"--port={name}={port}" for name, port in ports.items())]
    runner = Runner(args, env)
    seen: list[int] = []
    try:
        runner.wait_ready(STARTUP_TIMEOUT_S)
        seen = children_of(runner.process.pid)
        assert len(seen) == len(services) + 1, f"expected {services} and nats-server: {seen}"
        with httpx.Client(timeout=10) as client:
            for name in services:
                base = f"http://127.0.0.1:{ports[name]}"
                health = client.get(f"{base}/healthz")
                assert health.status_code == 200 and health.json()["service"] == name
                ready = client.get(f"{base}/readyz")
                assert ready.status_code == 200, ready.text
                assert ready.json()["checks"] == {"database": "ok", "nats": "ok"}
                docs = client.get(f"{base}/docs")
                assert docs.status_code == 200 and "swagger" in docs.text.lower()
                assert base + "/docs" in runner.output
        if "intake" in services:
            check_demo_data(runner.output, ports["intake"], data_dir)
        if {"verification", "approval", "disbursement"} <= set(services):
            check_demo_payees(runner.output, ports["disbursement"], data_dir)
        assert (data_dir / "nats" / "jetstream").is_dir()
        assert (data_dir / "jwt-secret").is_file()
        sqlite_files = {p.name for p in data_dir.glob("*.db")}
        assert sqlite_files == (set() if TEST_DATABASE_URL else {f"{n}.db" for n in services})
        assert {p.name for p in (data_dir / "logs").iterdir()} >= {f"{n}.log" for n in services}

        runner.process.send_signal(signal.SIGINT)
        assert runner.process.wait(STOP_TIMEOUT_S) == 0, runner.output
        deadline = time.monotonic() + 5
        while any(alive(pid) for pid in seen) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in seen if alive(pid)], "child processes left running"
        assert "stopped." in runner.output
    finally:
        runner.kill_all(seen)


def soon(check: Callable[[], bool], timeout_s: float = 30.0) -> bool:
    """``check()`` holds now or within ``timeout_s`` (the services learn by events)."""
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.3)
    return True


def check_demo_payees(output: str, disbursement_port: int, data_dir: Path) -> None:
    """tools.demo_payees through the real APIs: the demo township's temporary aid approved,
    its payees' payments ready to the holders' card accounts (registered by finance, shown
    masked); the dibao and tekun cases on notice with their holders' cards registered; the
    draft ledger of the open payment month."""
    settings = Settings(service="tools", data_dir=data_dir)
    township = demo_township(settings.county)
    assert township is not None
    assert "demo payees: 朝阳镇: 2 approved (temporary aid, its payment ready to the card " \
        "account), 2 on public notice" in output, output
    finance = find_demo_user("finance_officer", settings.county)
    people = {m["id_number"]: m["name"] for app in demo_applications(settings.county)
              if app.township == township for m in app.members}
    with httpx.Client(base_url=f"http://127.0.0.1:{disbursement_port}", timeout=10, headers={
            "Authorization": f"Bearer {demo_token(settings, finance)}"}) as client:
        def payments() -> list[dict]:
            answer = client.get("/api/v1/payments", params={"kind": "once"})
            assert answer.status_code == 200, answer.text
            return [p for p in answer.json() if p["division"].startswith(township)]

        assert soon(lambda: sorted(p["status"] for p in payments()) == ["ready", "ready"]), \
            [(p["status"], p["hold_reason"]) for p in payments()]
        ready = payments()
        assert all(p["program"] == "temp_expenditure" and p["amount_fen"] > 0
                   and "*" in (p["account_masked"] or "") for p in ready), ready
        payees = client.get("/api/v1/payees").json()
        assert sorted(p["payment"] for p in payees
                      if p["division"].startswith(township)) == ["once", "once"], payees
        accounts = client.get("/api/v1/bank-accounts", params={"status": "active"})
        assert accounts.status_code == 200, accounts.text
        assert len(accounts.json()) == 4, accounts.json()
        for id_number in people:  # numbers masked everywhere, the full ones never shown
            assert demo_account_number(id_number) not in accounts.text + str(ready)
        assert all(a["account_masked"].count("*") >= 10 for a in accounts.json())
        months = client.get("/api/v1/payment-months",
                            params={"county": settings.county}).json()
        assert [(m["month"], m["state"]) for m in months] == [
            (open_month(datetime.now(UTC)), "draft")], months
    assert (data_dir / "demo-payees-loaded.json").is_file()


def check_demo_data(output: str, intake_port: int, data_dir: Path) -> None:
    """The demo applications went in through the intake API: accepted ones and one notice."""
    settings = Settings(service="tools", data_dir=data_dir)
    expected = demo_applications(settings.county)
    assert f"demo data (演示数据, invented people): {len(expected)} applications" in output, output
    # the demo township's temporary aid approved by tools.demo_payees ends decided at intake
    township_on = demo_township(settings.county)
    outcomes = sorted("decided" if app.township == township_on and str(app.program) in TEMPORARY
                      and app.expected_status == "accepted" else app.expected_status
                      for app in expected)

    def statuses() -> list[str]:
        found: list[str] = []
        with httpx.Client(base_url=f"http://127.0.0.1:{intake_port}", timeout=10) as client:
            for township in sorted({app.township for app in expected}):
                user = find_demo_user("caseworker", township)
                answer = client.get("/api/v1/applications", params={"limit": 100}, headers={
                    "Authorization": f"Bearer {demo_token(settings, user)}"})
                assert answer.status_code == 200, answer.text
                body = answer.json()
                items = body if isinstance(body, list) else body.get("items", [])
                found += [item["status"] for item in items]
        return sorted(found)

    assert soon(lambda: statuses() == outcomes), (statuses(), outcomes)
    officer = find_demo_user("county_officer", settings.county)
    with httpx.Client(base_url=f"http://127.0.0.1:{intake_port}", timeout=10,
                      headers={"Authorization": f"Bearer {demo_token(settings, officer)}"}
                      ) as client:
        referrals = client.get("/api/v1/referrals").json()  # R-IN-2: one ended in its application
        assert sorted(r["status"] for r in referrals) == ["applied", "open", "open"], referrals
        [aid] = client.get("/api/v1/emergency-aid", params={"outstanding": "true"}).json()
        assert aid["outstanding"] and aid["amount_fen"] > 0  # R-IN-5: materials still missing
    assert (data_dir / "demo-data-loaded.json").is_file()
    # the demo division register went in first; tools.divisions shows it through the API
    assert "demo division register: 10 demo codes of county 230722: 10 added" in output, output
    assert (data_dir / "demo-divisions-loaded.json").is_file()
    # the demo policy parameters, urban and rural, marked as demo values (tools.demo_policy)
    assert "demo policy parameters: county 230722, in force from 2020-01-01 (demo values): " \
        "urban 750 yuan, rural 560 yuan" in output, output
    assert (data_dir / "demo-policy-loaded.json").is_file()

    def divisions(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "tools.divisions", "--data-dir", str(data_dir),
             "--url", f"http://127.0.0.1:{intake_port}", *args],
            cwd=ROOT, capture_output=True, text=True, timeout=60,
            env={k: v for k, v in os.environ.items() if not k.startswith("ASSIST_")})

    shown = divisions("list")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines()[0].startswith("230722") and "东风村" in shown.stdout
    new_village = data_dir.parent / "new-village.csv"
    new_village.write_text("code,name\n230722100203,新建村\n", encoding="utf-8")
    for outcome in ("1 entry: 1 added, 0 changed", "1 entry: 0 added, 0 changed"):
        loaded = divisions("load", str(new_village))
        assert (loaded.returncode, loaded.stdout.strip()[:len(outcome)]) == (0, outcome), \
            loaded.stdout + loaded.stderr
    assert "新建村" in divisions("list").stdout
