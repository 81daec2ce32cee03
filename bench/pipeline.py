"""Benchmark: the event pipeline end to end, each stage alone, and the REST API under load.

    make bench            (or: .venv/bin/python -m bench.pipeline --applications 300)

Runs on loopback (its own nats-servers; services as uvicorn processes the way ``make run``
starts them; HTTP clients on keep-alive connections, see ``bench.support.Connection``), once on
SQLite in a temporary folder and once on PostgreSQL when it answers (``--postgres-url``, default
the test database at 127.0.0.1:5432; skipped with a message otherwise). It stops by itself, in
about a minute on an idle 2-core machine. Each engine's run measures:

- raw JetStream: envelopes published with Nats-Msg-Id, awaiting each ack, and read back by a
  durable pull consumer with explicit acks: the bus alone, the baseline of the event figures;
- access: one submission-shaped unit of work in each database access style (``bench.access``);
- counters (PostgreSQL): concurrent transactions taking one key's numbers, the row lock alone
  against the kit's queue (``bench.counters``);
- each stage alone: submit (intake with NATS away, so its relay is idle), relay (the
  submissions' outbox rows published by an ``OutboxRelay``), and each consumer (audit,
  complaints, verification, approval, in this process through its real lifespan) applying the
  events already on the stream;
- the API: a bare FastAPI endpoint inserting one row on the same engine (``bench.bare``),
  intake's stack around an endpoint with no work of its own (``bench.stack``: what the kit
  costs) and intake's submissions (its relay running), each at 1 and at ``--clients`` clients,
  with p50, p99 and the server's CPU per request, after a burst of each unmeasured (a service's
  first opens its connections and prepares its statements); the three take turns (``--rounds``),
  so that the machine's speed, which drifts over minutes on a shared virtual machine, weighs on
  all alike;
- pipeline: N applications POSTed to intake by ``--clients`` clients until every event they
  cause (intake's, and what verification and approval emit in turn) is in the audit service's
  hash chain, with verification, approval, complaints and audit running; and the CPU each
  process spent per application. Its baseline is raw JetStream measured again just before and
  just after it (their mean).

It ends with one JSON line per figure: figure, engine, value, unit, baseline, ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import nats
from nats.js.errors import NotFoundError

from bench import access, counters
from bench.stack import PATH as STACK_PATH
from bench.support import (
    CONSUMERS,
    COUNTY,
    TOWNSHIP,
    Figure,
    Load,
    Process,
    Target,
    application,
    count,
    cpu_seconds,
    load,
    load_divisions,
    postgres_answers,
    processes,
    reader,
    say,
    wait_until,
)
from shared.auth import issue_token
from shared.bus import Bus
from shared.db import create_engine, create_sessionmaker
from shared.events import new_envelope
from shared.inbox import durable_name
from shared.logging import configure_logging
from shared.natsd import NatsServer, free_port
from shared.outbox import OutboxRelay
from shared.settings import Settings

DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
STAGE_TIMEOUT_S = 180.0


def service_app(service: str, settings: Settings) -> Any:
    module = __import__(f"services.{service}.app", fromlist=["create_app"])
    return module.create_app(settings)


def service_tables(service: str) -> tuple[Any, Any]:
    module = __import__(f"services.{service}.db", fromlist=["outbox", "inbox"])
    return module.outbox, module.inbox


# --- raw JetStream -------------------------------------------------------------------------------

async def raw_jetstream(url: str, n: int) -> float:
    """Seconds to publish n envelopes with acks and consume them back with explicit acks."""
    nc = await nats.connect(url)
    js = nc.jetstream()
    await js.add_stream(name="BENCH", subjects=["bench.>"])
    envelopes = [new_envelope(service="bench", county=COUNTY, event="x", subject=str(i),
                              data=application(i)) for i in range(n)]
    sub = await js.pull_subscribe("bench.>", durable="bench", stream="BENCH")
    started = time.perf_counter()
    for env in envelopes:
        await js.publish("bench.230722.x", env.to_json(), headers={"Nats-Msg-Id": env.id})
    seen = 0
    while seen < n:
        for msg in await sub.fetch(min(100, n - seen), timeout=5):
            await msg.ack()
            seen += 1
    took = time.perf_counter() - started
    await nc.close()
    return took


# --- the pieces ----------------------------------------------------------------------------------

class Run:
    """One engine's run: its target, its NATS servers, its figures."""

    def __init__(self, target: Target, args: argparse.Namespace) -> None:
        self.target = target
        self.args = args
        self.figures: list[Figure] = []
        self.n: int = args.applications
        self.logs = target.folder / "logs"

    def add(self, figure: str, value: float, unit: str, baseline: float | None = None,
            note: str = "") -> Figure:
        fig = Figure(figure, self.target.engine, value, unit, baseline, note)
        self.figures.append(fig)
        return fig

    def value(self, figure: str) -> float | None:
        return next((f.value for f in self.figures if f.figure == figure), None)

    def token(self, settings: Settings) -> dict[str, str]:
        return {"Authorization": "Bearer " + issue_token(
            settings, user_id="bench", role="caseworker", divisions=[TOWNSHIP])}

    def process(self, phase: str, service: str, nats_url: str, factory: str | None = None
                ) -> Process:
        return Process(f"{phase}-{service}", factory or f"services.{service}.app:create_app",
                       self.target.env(phase, service, nats_url),
                       self.logs / f"{phase}-{service}.log")

    def nats(self, name: str) -> NatsServer:
        self.logs.mkdir(parents=True, exist_ok=True)
        return NatsServer(self.target.folder / f"nats-{name}",
                          log_file=self.logs / f"nats-{name}.log")

    # -- raw

    async def raw(self) -> None:
        events = self.n * 4
        rate = await self.raw_rate("raw")
        self.add("raw_jetstream", rate, "events/s")
        say(f"  raw JetStream publish+consume    {rate:8.1f} events/s ({events} events)")

    async def raw_rate(self, name: str) -> float:
        """Raw JetStream's events a second, on a nats-server of its own."""
        events = self.n * 4
        with self.nats(name) as server:
            return events / await raw_jetstream(server.url, events)

    # -- database access styles

    async def access(self) -> None:
        settings = self.target.settings("access", "access", "nats://127.0.0.1:1")
        results = await access.measure(settings, self.args.units)
        driver = next(r for r in results if r.style == "driver")
        for r in results:
            self.add(f"access_{r.style}", r.wall_ms, "ms/unit", driver.wall_ms)
            say(f"  access {r.style:14s}            {r.wall_ms:6.2f} ms a unit of work, "
                f"{r.cpu_ms:6.2f} ms CPU ({r.cpu_ms / driver.cpu_ms:4.1f}× the bare driver's)")

    # -- a counter's waiters

    async def counters(self) -> None:
        if self.target.engine != "postgresql":
            return  # one writer at a time: nobody waits for a counter's row
        settings = self.target.settings("counters", "counters", "nats://127.0.0.1:1")
        results = {r.way: r for r in await counters.measure(settings)}
        alone = results["row lock"]
        for r in results.values():
            way = r.way.replace(" ", "_")
            self.add(f"counter_{way}", r.rate, "numbers/s", alone.rate)
            self.add(f"counter_{way}_p99", r.p99, "ms", alone.p99)
            say(f"  counter, {r.way:9s}               {r.rate:7.1f} numbers/s, p50 "
                f"{r.p50:5.1f} ms, p99 {r.p99:6.1f} ms")

    # -- each stage alone

    async def stages(self) -> None:
        raw = self.value("raw_jetstream")
        with self.nats("stages") as server:
            # submit: intake with NATS away, so that its relay stays idle
            away = f"nats://127.0.0.1:{free_port()}"
            intake = self.process("stages", "intake", away)
            settings = self.target.settings("stages", "intake", server.url)
            async with processes([intake]):
                await load_divisions(intake.url, settings)
                cpu = intake.cpu_seconds()
                submitted = await load(f"{intake.url}/api/v1/applications",
                                       map(application, range(self.n)),
                                       clients=self.args.clients, headers=self.token(settings))
                cpu_ms = (intake.cpu_seconds() - cpu) / self.n * 1000
            self.add("stage_submit", submitted.rate, "req/s")
            self.add("stage_submit_cpu", cpu_ms, "ms/req")
            say(f"  stage submit (relay idle)        {submitted.describe()}; "
                f"intake {cpu_ms:.2f} ms CPU a submission")

            await self.relay_alone(settings)

            for service in ("audit", "complaints", "verification", "approval"):
                applied, took = await self.consumer_alone(service, server.url)
                self.add(f"stage_consumer_{service}", applied / took, "events/s", raw)
                say(f"  stage consumer {service:13s}     {applied / took:8.1f} events/s "
                    f"({applied} events, {took:.2f} s)")

    async def relay_alone(self, settings: Settings) -> None:
        """The outbox rows of the submissions published by one relay, batch after batch."""
        outbox, _ = service_tables("intake")
        engine = create_engine(settings)
        bus = Bus(settings)
        try:
            await bus.start()
            await bus.wait_ready(15)
            relay = OutboxRelay(create_sessionmaker(engine, info={}), outbox, bus, settings)
            events = await relay.pending_count()
            started = time.perf_counter()
            while await relay.relay_pending():
                pass
            took = time.perf_counter() - started
        finally:
            await bus.close()
            await engine.dispose()
        self.add("stage_relay", events / took, "events/s", self.value("raw_jetstream"))
        say(f"  stage relay                      {events / took:8.1f} events/s "
            f"({events} events, {took:.2f} s)")

    async def consumer_alone(self, service: str, nats_url: str) -> tuple[int, float]:
        """A consumer service, in this process through its lifespan, applying what the stream
        holds: events applied and seconds from NATS ready until its durable is drained."""
        settings = self.target.settings("stages", service, nats_url)
        app = service_app(service, settings)
        _, inbox = service_tables(service)
        async with app.router.lifespan_context(app):
            kit = app.state.kit
            await kit.bus.wait_ready(15)
            started = time.perf_counter()
            async with nats_connection(nats_url) as js:
                await wait_until(lambda: drained(js, service), timeout=STAGE_TIMEOUT_S,
                                 what=f"{service} consumer", interval=0.01)
            took = time.perf_counter() - started
            engine = reader(settings)
            try:
                applied = await count(engine, inbox)
            finally:
                await engine.dispose()
        return applied, took

    # -- the API

    async def api(self) -> None:
        with self.nats("api") as server:
            bare = self.process("api", "bench_bare", server.url, "bench.bare:create_app")
            intake = self.process("api", "intake", server.url)
            # intake again (its own data), with an endpoint that does no work of its own
            stack = self.process("apistack", "intake", server.url, "bench.stack:create_app")
            settings = self.target.settings("api", "intake", server.url)
            outbox, _ = service_tables("intake")
            intake_db = reader(settings)
            try:
                async with processes([bare, intake, stack]):
                    await load_divisions(intake.url, settings)
                    results: dict[str, Load] = {}
                    bodies = iter(range(10**6))

                    def rows(k: int) -> list[dict[str, Any]]:
                        return [{"name": f"row {i}", "body": application(i)}
                                for i in (next(bodies) for _ in range(k))]

                    sizes = ((1, self.args.single), (self.args.clients, self.args.requests))
                    cpu: dict[str, float] = {}
                    # Unmeasured, a burst each first: a service's first burst opens its
                    # database connections and prepares its statements, once in its life.
                    warm = self.args.clients
                    await load(f"{bare.url}/api/v1/rows", rows(warm), clients=warm)
                    await load(f"{stack.url}{STACK_PATH}", map(application, range(warm)),
                               clients=warm, headers=self.token(settings))
                    await load(f"{intake.url}/api/v1/applications",
                               map(application, range(10**6, 10**6 + warm)), clients=warm,
                               headers=self.token(settings))
                    headers = self.token(settings)

                    async def turn(name: str, proc: Process, path: str,
                                   bodies: Iterable[dict[str, Any]], clients: int,
                                   auth: dict[str, str] | None = None,
                                   settle: Callable[[], Any] | None = None) -> None:
                        """One endpoint's share: its latencies, and the CPU its process spent
                        on it (with ``settle``, until that is done too: the relaying)."""
                        before = proc.cpu_seconds()
                        _add(results, name, await load(f"{proc.url}{path}", bodies,
                                                       clients=clients, headers=auth))
                        if settle is not None:
                            await wait_until(settle, timeout=STAGE_TIMEOUT_S, what=name)
                        cpu[name] = cpu.get(name, 0.0) + proc.cpu_seconds() - before

                    offset = 0
                    # The three endpoints take turns, a share of the requests each, so that
                    # the machine's speed, which drifts over minutes on a shared virtual
                    # machine, weighs on all alike.
                    for clients, k in sizes:
                        for share in _shares(k, self.args.rounds):
                            submitted = range(offset, offset + share)
                            offset += share
                            await turn(f"bare_{clients}", bare, "/api/v1/rows", rows(share),
                                       clients)
                            await turn(f"stack_{clients}", stack, STACK_PATH,
                                       map(application, submitted), clients, headers)
                            await turn(f"submit_{clients}", intake, "/api/v1/applications",
                                       map(application, submitted), clients, headers,
                                       settle=lambda: _nothing_unsent(intake_db, outbox))
                        for name in ("bare", "stack", "submit"):
                            cpu[f"{name}_{clients}"] *= 1000 / k
            finally:
                await intake_db.dispose()
        for clients in (1, self.args.clients):
            bare_run, submit = results[f"bare_{clients}"], results[f"submit_{clients}"]
            stack_run = results[f"stack_{clients}"]
            self.add(f"api_bare_{clients}", bare_run.rate, "req/s")
            self.add(f"api_bare_{clients}_p50", bare_run.percentile(50), "ms")
            self.add(f"api_bare_{clients}_p99", bare_run.percentile(99), "ms")
            self.add(f"api_submit_{clients}", submit.rate, "req/s", bare_run.rate)
            self.add(f"api_submit_{clients}_p50", submit.percentile(50), "ms",
                     bare_run.percentile(50))
            self.add(f"api_submit_{clients}_p99", submit.percentile(99), "ms",
                     bare_run.percentile(99))
            bare_cpu, submit_cpu = cpu[f"bare_{clients}"], cpu[f"submit_{clients}"]
            stack_cpu = cpu[f"stack_{clients}"]
            self.add(f"api_bare_{clients}_cpu", bare_cpu, "ms/req")
            self.add(f"api_submit_{clients}_cpu", submit_cpu, "ms/req", bare_cpu)
            self.add(f"api_stack_{clients}", stack_run.rate, "req/s", bare_run.rate)
            self.add(f"api_stack_{clients}_p99", stack_run.percentile(99), "ms",
                     bare_run.percentile(99))
            self.add(f"api_stack_{clients}_cpu", stack_cpu, "ms/req", bare_cpu)
            say(f"  api bare endpoint                {bare_run.describe()}; "
                f"{bare_cpu:.2f} ms CPU a request")
            say(f"  api kit, no work of its own      {stack_run.describe()}; "
                f"{stack_cpu:.2f} ms CPU a request; ratio {stack_run.rate / bare_run.rate:.3f}")
            say(f"  api submission                   {submit.describe()}; "
                f"{submit_cpu:.2f} ms CPU with its relaying; "
                f"ratio {submit.rate / bare_run.rate:.3f}")

    # -- end to end

    async def pipeline(self) -> None:
        # Its baseline measured just before and just after it: the machine's speed drifts.
        raw_before = await self.raw_rate("raw-before-pipeline")
        events, took, submitted, cpu = await self._pipeline()
        raw = (raw_before + await self.raw_rate("raw-after-pipeline")) / 2
        say(f"  raw JetStream around the pipeline {raw:7.1f} events/s (mean of before and after)")
        self.add("pipeline", events / took, "events/s", raw)
        self.add("pipeline_submit", submitted.rate, "req/s")
        total = sum(cpu.values())
        for name, seconds in cpu.items():
            self.add(f"pipeline_cpu_{name.split()[0]}", seconds / self.n * 1000, "ms/application")
        say(f"  pipeline REST → audit chain      {events / took:8.1f} events/s "
            f"({events} events from {self.n} applications, {took:.2f} s)")
        say(f"  pipeline's submissions           {submitted.describe()}")
        say(f"  pipeline CPU a application       {total / self.n * 1000:.1f} ms in all, "
            f"{total / took / (os.cpu_count() or 1):.0%} of the machine's "
            f"{os.cpu_count()} CPUs over the run: " + ", ".join(
                f"{name} {seconds / self.n * 1000:.1f}" for name, seconds in cpu.items()))

    async def _pipeline(self) -> tuple[int, float, Load, dict[str, float]]:
        services = ("intake", *CONSUMERS)
        with self.nats("e2e") as server:
            procs = [self.process("e2e", s, server.url) for s in services]
            settings = {s: self.target.settings("e2e", s, server.url) for s in services}
            readers = {s: reader(settings[s]) for s in services}
            tables = {s: service_tables(s) for s in services}
            try:
                async with processes(procs), nats_connection(server.url) as js:

                    async def settled() -> bool:
                        for s in services:
                            if await _count_unsent(readers[s], tables[s][0]):
                                return False
                        for s in CONSUMERS:
                            if not await drained(js, s):
                                return False
                        produced = sum([await count(readers[s], tables[s][0])
                                        for s in services])
                        return await count(readers["audit"], tables["audit"][1]) == produced

                    await load_divisions(procs[0].url, settings["intake"])
                    await wait_until(settled, timeout=STAGE_TIMEOUT_S, what="start")
                    before = await count(readers["audit"], tables["audit"][1])
                    assert server.process is not None
                    pids = {p.name.split("-", 1)[1]: p.process.pid for p in procs
                            if p.process} | {"nats-server": server.process.pid}
                    cpu = {name: cpu_seconds(pid) for name, pid in pids.items()}
                    own_cpu = time.process_time()
                    started = time.perf_counter()
                    submitted = await load(f"{procs[0].url}/api/v1/applications",
                                           map(application, range(self.n)),
                                           clients=self.args.clients,
                                           headers=self.token(settings["intake"]))
                    await wait_until(settled, timeout=STAGE_TIMEOUT_S,
                                     what="audit chain catching up", interval=0.05)
                    took = time.perf_counter() - started
                    cpu = {name: cpu_seconds(pid) - cpu[name] for name, pid in pids.items()}
                    cpu["bench (clients, polling)"] = time.process_time() - own_cpu
                    events = await count(readers["audit"], tables["audit"][1]) - before
            finally:
                for engine in readers.values():
                    await engine.dispose()
        return events, took, submitted, cpu


def _shares(k: int, rounds: int) -> list[int]:
    """``k`` requests in ``rounds`` turns (at least one request a turn)."""
    rounds = max(1, min(rounds, k))
    return [k // rounds + (1 if i < k % rounds else 0) for i in range(rounds)]


def _add(results: dict[str, Load], name: str, more: Load) -> None:
    """One figure's turns together: their requests, their time, every latency."""
    kept = results.get(name)
    results[name] = more if kept is None else Load(
        kept.clients, kept.seconds + more.seconds, kept.latencies_ms + more.latencies_ms)


async def _count_unsent(engine: Any, outbox: Any) -> int:
    return await count(engine, outbox, outbox.c.sent_at.is_(None))


async def _nothing_unsent(engine: Any, outbox: Any) -> bool:
    return await _count_unsent(engine, outbox) == 0


@contextlib.asynccontextmanager
async def nats_connection(url: str) -> Any:
    nc = await nats.connect(url)
    try:
        yield nc.jetstream()
    finally:
        await nc.close()


async def drained(js: Any, service: str) -> bool:
    """The service's durable consumer exists and has acknowledged everything it takes."""
    try:
        info = await js.consumer_info("ASSIST", durable_name(service, COUNTY))
    except NotFoundError:
        return False
    return bool(info.num_pending == 0 and info.num_ack_pending == 0)


# --- main ----------------------------------------------------------------------------------------

async def run_engine(target: Target, args: argparse.Namespace) -> list[Figure]:
    run = Run(target, args)
    steps: Sequence[tuple[str, Callable[[], Any]]] = (
        ("raw", run.raw), ("access", run.access), ("counters", run.counters),
        ("stages", run.stages), ("api", run.api),
        ("pipeline", run.pipeline))
    try:
        for name, step in steps:
            if name in args.only or not args.only:
                await step()
    except Exception as exc:  # noqa: BLE001 - report what was measured, and why it stopped
        say(f"  {target.engine}: stopped: {exc}")
        say(f"  (logs in {run.logs}; kept)")
        args.keep = True
    finally:
        await target.drop_schemas()
    return run.figures


def targets_check(figures: list[Figure]) -> list[str]:
    lines = []
    for engine in dict.fromkeys(f.engine for f in figures):
        of = {f.figure: f for f in figures if f.engine == engine}
        if (p := of.get("pipeline")) and p.ratio is not None:
            lines.append(f"{engine}: pipeline / raw JetStream {p.ratio:.3f} (target ≥ 0.25: "
                         f"{'met' if p.ratio >= 0.25 else 'NOT met'})")
        clients = max((int(k.split("_")[2]) for k in of if k.startswith("api_submit_")
                       and k.count("_") == 2), default=None)
        if clients and (s := of.get(f"api_submit_{clients}")) and s.ratio is not None:
            p99 = of[f"api_submit_{clients}_p99"].value
            ok = s.ratio >= 0.5 and p99 < 250
            lines.append(f"{engine}: submissions at {clients} clients {s.ratio:.3f} of the bare "
                         f"endpoint, p99 {p99:.0f} ms (target ≥ 0.5 and < 250 ms: "
                         f"{'met' if ok else 'NOT met'})")
    return lines


async def main(args: argparse.Namespace) -> int:
    configure_logging("console", "WARNING")  # the services run in-process for some stages
    folder = Path(tempfile.mkdtemp(prefix="assist-bench-"))
    figures: list[Figure] = []
    try:
        say(f"{args.applications} applications, {args.clients} clients; API: {args.requests} "
            f"requests at {args.clients} clients, {args.single} at 1; {os.cpu_count()} CPUs, "
            f"load average {os.getloadavg()[0]:.1f}; data in {folder}")
        for engine in args.engines:
            if engine == "postgresql":
                why = await postgres_answers(args.postgres_url)
                if why:
                    say(f"\npostgresql: skipped, {args.postgres_url} does not answer: {why}")
                    continue
                target = Target("postgresql", folder / "postgresql", args.postgres_url,
                                extra=dict(args.setting))
            else:
                target = Target("sqlite", folder / "sqlite", extra=dict(args.setting))
            say(f"\n{engine}:")
            figures += await run_engine(target, args)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    say(f"\nload average at the end {os.getloadavg()[0]:.1f} (other work on the machine "
        "shifts every figure; compare ratios within one run)")
    for line in targets_check(figures):
        say(line)
    say()
    for fig in figures:
        say(fig.json())
    return 0 if figures else 1


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.pipeline",
                                     description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--applications", type=int, default=300,
                        help="applications of the pipeline and stage figures (default 300)")
    parser.add_argument("--clients", type=int, default=32,
                        help="concurrent clients of the loaded figures (default 32)")
    parser.add_argument("--requests", type=int, default=600,
                        help="requests of the API figures at --clients clients (default 600)")
    parser.add_argument("--single", type=int, default=100,
                        help="requests of the API figures at 1 client (default 100)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="turns the bare endpoint and the submissions take (default 3)")
    parser.add_argument("--units", type=int, default=300,
                        help="units of work per database access style (default 300)")
    parser.add_argument("--engines", type=lambda s: s.split(","),
                        default=["sqlite", "postgresql"],
                        help="comma-separated: sqlite,postgresql (default both)")
    parser.add_argument("--postgres-url", default=os.environ.get(
        "ASSIST_BENCH_DATABASE_URL", DEFAULT_POSTGRES),
        help=f"PostgreSQL for the second run (default {DEFAULT_POSTGRES})")
    parser.add_argument("--only", type=lambda s: s.split(","), default=[],
                        help="only these parts: raw,access,counters,stages,api,pipeline")
    parser.add_argument("--keep", action="store_true", help="keep the data folder and logs")
    parser.add_argument("--setting", action="append", default=[], metavar="NAME=VALUE",
                        type=lambda s: tuple(s.split("=", 1)),
                        help="a setting for every service of the run, as ASSIST_NAME "
                        "without the prefix (e.g. db_pool_size=8); repeatable")
    return parser.parse_args(argv)


def run(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        import uvloop  # the loop uvicorn runs the services on
    except ImportError:
        return asyncio.run(main(args))
    return uvloop.run(main(args))


if __name__ == "__main__":
    sys.exit(run())
