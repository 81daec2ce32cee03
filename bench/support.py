"""What every bench stage needs: where the databases are, service processes, HTTP load, figures."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from shared.idcard import check_character
from shared.natsd import free_port
from shared.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret-bench-secret-bench-secret-0000"
COUNTY, TOWNSHIP, VILLAGE = "230722", "230722100", "230722100201"
CONSUMERS = ("verification", "approval", "complaints", "audit")
"""The services that consume what a submission causes (disbursement waits for approvals)."""


def application(i: int) -> dict[str, Any]:
    """A complete dibao application (accepted at once: two intake events)."""
    return {
        "program": "dibao", "channel": "window", "division": VILLAGE, "area": "rural",
        "household": {"members": [{
            "name": f"测试{i}", "id_number": unique_id(i),
            "relationship": "head", "living_status": "at_home", "is_student": False}]},
        "materials": ["application_form", "id_card", "household_register", "income_statement",
                      "property_declaration", "authorization_letter"],
    }


def unique_id(i: int) -> str:
    """A valid, distinct resident ID per application (birth date and sequence vary)."""
    day = 1 + i % 28
    month = 1 + (i // 28) % 12
    year = 1940 + (i // 336) % 60
    first17 = f"230722{year:04d}{month:02d}{day:02d}{i % 1000:03d}"
    return first17 + check_character(first17)


# --- where the services keep their data ---------------------------------------------------------

@dataclass
class Target:
    """One database engine under test: SQLite files in a folder, or a PostgreSQL database.

    Every phase of the run gets its own SQLite folder or its own PostgreSQL schemas, so no phase
    sees another's rows; the schemas are dropped at the end.
    """

    engine: str  # "sqlite" or "postgresql"
    folder: Path
    database_url: str | None = None
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:6])
    schemas: set[str] = field(default_factory=set)
    extra: dict[str, str] = field(default_factory=dict)
    """Settings given to every process and service of the run (``--setting``)."""

    def data_dir(self, phase: str) -> Path:
        return self.folder / phase

    def schema(self, phase: str, service: str) -> str:
        name = f"bench{self.run_id}_{phase}_{service}"
        self.schemas.add(name)
        return name

    def values(self, phase: str, service: str, nats_url: str) -> dict[str, Any]:
        """Settings of ``service`` in ``phase``, as ASSIST_* names without the prefix."""
        values: dict[str, Any] = {
            "service": service, "data_dir": str(self.data_dir(phase)), "nats_url": nats_url,
            "jwt_secret": SECRET, "log_level": "WARNING", "county": COUNTY,
        }
        if self.database_url:
            values |= {"database_url": self.database_url,
                       "db_schema": self.schema(phase, service)}
        return values | self.extra

    def settings(self, phase: str, service: str, nats_url: str, **overrides: Any) -> Settings:
        return Settings(**(self.values(phase, service, nats_url) | overrides))

    def env(self, phase: str, service: str, nats_url: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ASSIST_")}
        env |= {f"ASSIST_{k.upper()}": str(v)
                for k, v in self.values(phase, service, nats_url).items() if k != "service"}
        env["PYTHONUNBUFFERED"] = "1"
        return env

    async def drop_schemas(self) -> None:
        if not self.database_url or not self.schemas:
            return
        engine = create_async_engine(self.database_url)
        try:
            async with engine.begin() as conn:
                for schema in sorted(self.schemas):
                    await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        finally:
            await engine.dispose()


def reader(settings: Settings) -> AsyncEngine:
    """A plain engine to count rows while the services write (never queues behind writers)."""
    if settings.is_postgres:
        return create_async_engine(settings.sqlalchemy_url, connect_args={
            "server_settings": {"search_path": settings.pg_schema or "public"}})
    return create_async_engine(settings.sqlalchemy_url)


async def count(engine: AsyncEngine, table: Any, *where: Any) -> int:
    async with engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(table).where(*where))
                   or 0)


async def postgres_answers(url: str) -> str | None:
    """None if PostgreSQL answers at ``url``, else why not."""
    engine = create_async_engine(url, connect_args={"timeout": 3})
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return None
    except Exception as exc:  # noqa: BLE001 - any reason to skip
        return repr(exc)[:200]
    finally:
        await engine.dispose()


async def load_divisions(url: str, settings: Settings) -> None:
    """Load the county's (demo) division register into intake at ``url``: submissions are
    refused for divisions not in force in it."""
    try:
        from tools.demo import load_register_into
    except ImportError:  # a version without a register
        return
    async with httpx.AsyncClient(base_url=url, timeout=30.0) as client:
        await load_register_into(client, settings)


def cpu_seconds(pid: int) -> float:
    """User and system CPU time process ``pid`` has used so far (Linux /proc; else NaN)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- service processes ---------------------------------------------------------------------------

@dataclass
class Process:
    """One uvicorn process serving an app factory on loopback, as ``make run`` starts them."""

    name: str
    factory: str
    env: dict[str, str]
    log_path: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "uvicorn", "--factory", self.factory,
                   "--host", "127.0.0.1", "--port", str(self.port), "--no-access-log",
                   "--log-level", "warning", "--no-server-header"]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def cpu_seconds(self) -> float:
        assert self.process is not None
        return cpu_seconds(self.process.pid)

    def tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    async def wait_up(self, timeout: float = 90.0) -> None:
        """Until /healthz answers (the lifespan has migrated and started everything)."""
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(timeout=2.0) as client:
            while True:
                assert self.process is not None
                if self.process.poll() is not None:
                    raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n"
                                       f"{self.tail()}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(f"{self.url}/healthz")).status_code == 200:
                        return
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{self.name} not up within {timeout:.0f} s:\n"
                                       f"{self.tail()}")
                await asyncio.sleep(0.1)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


@contextlib.asynccontextmanager
async def processes(procs: Sequence[Process]) -> AsyncIterator[Sequence[Process]]:
    """Start every process, wait until all are up, stop them all afterwards."""
    try:
        for proc in procs:
            proc.start()
        await asyncio.gather(*(proc.wait_up() for proc in procs))
        yield procs
    finally:
        for proc in procs:
            proc.stop()


# --- HTTP load -----------------------------------------------------------------------------------

@dataclass
class Load:
    """Requests sent by ``clients`` concurrent clients: wall time and each one's latency."""

    clients: int
    seconds: float
    latencies_ms: list[float]

    @property
    def requests(self) -> int:
        return len(self.latencies_ms)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]

    def describe(self) -> str:
        return (f"{self.rate:8.1f} req/s  p50 {self.percentile(50):7.1f} ms  "
                f"p99 {self.percentile(99):7.1f} ms  ({self.requests} requests, "
                f"{self.clients} client{'s' if self.clients > 1 else ''})")


class Connection:
    """One keep-alive HTTP/1.1 connection that sends one request at a time.

    The load generator is this, not httpx: on this 2-core machine an httpx client spends about
    2 ms of CPU a request and becomes the bottleneck (the bare endpoint measured 350 req/s and
    p99 400 ms through httpx, 850 req/s and p99 60 ms through this), so it would measure itself.
    """

    def __init__(self, url: str, headers: dict[str, str] | None = None) -> None:
        parts = httpx.URL(url)
        self.host, self.port = parts.host, parts.port or 80
        self.extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def post(self, path: str, body: Any) -> tuple[int, bytes]:
        assert self.reader is not None and self.writer is not None
        data = json.dumps(body, ensure_ascii=False).encode()
        self.writer.write(
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n{self.extra}\r\n"
            .encode() + data)
        status = int((await self.reader.readline()).split()[1])
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return status, await self.reader.readexactly(length)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(Exception):
                await self.writer.wait_closed()


async def load(url: str, bodies: Iterable[dict[str, Any]], *, clients: int,
               headers: dict[str, str] | None = None, expect: int = 201) -> Load:
    """POST every body to ``url``, ``clients`` at a time (each client one connection, one
    request at a time, the next as soon as the last answered); fails on an unexpected status."""
    pending = list(bodies)
    pending.reverse()
    latencies: list[float] = []
    path = httpx.URL(url).raw_path.decode()
    connections = [Connection(url, headers) for _ in range(clients)]
    try:
        await asyncio.gather(*(c.open() for c in connections))  # TCP setup is not measured

        async def one_client(connection: Connection) -> None:
            while pending:
                body = pending.pop()
                started = time.perf_counter()
                status, answer = await connection.post(path, body)
                latencies.append((time.perf_counter() - started) * 1000)
                if status != expect:
                    raise RuntimeError(f"POST {url}: {status} {answer[:300]!r}")

        started = time.perf_counter()
        await asyncio.gather(*(one_client(c) for c in connections))
        seconds = time.perf_counter() - started
    finally:
        for connection in connections:
            await connection.close()
    return Load(clients, seconds, latencies)


async def wait_until(check: Callable[[], Any], *, timeout: float, what: str,
                     interval: float = 0.02) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not done within {timeout:.0f} s")
        await asyncio.sleep(interval)


# --- figures -------------------------------------------------------------------------------------

def say(message: str = "") -> None:
    """A line of the bench's report, out at once (a long run shows where it is)."""
    print(message, flush=True)


@dataclass
class Figure:
    figure: str
    engine: str
    value: float
    unit: str
    baseline: float | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0):
            return None
        return self.value / self.baseline  # type: ignore[operator]

    def json(self) -> str:
        return json.dumps({"figure": self.figure, "engine": self.engine,
                           "value": round(self.value, 2), "unit": self.unit,
                           "baseline": None if self.baseline is None
                           else round(self.baseline, 2),
                           "ratio": None if self.ratio is None else round(self.ratio, 3)},
                          ensure_ascii=False)
