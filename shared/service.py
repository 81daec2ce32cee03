"""The skeleton every service shares: lifespan (database, migrations, bus, relay, consumers),
the unit of work per request, health checks, problem errors and the request context."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Protocol

import structlog
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from sqlalchemy import MetaData, Table
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from shared import idempotency, migrations
from shared.apidocs import FORMATS, document_operations, install_docs
from shared.auth import CurrentUser
from shared.body_limit import UPLOAD, BodyLimitMiddleware
from shared.bus import Bus
from shared.clock import SESSION_KEY as CLOCK_KEY
from shared.clock import Clock
from shared.contracts.base import EventContract
from shared.db import create_engine, create_sessionmaker, dispose, ensure_schema, unit_of_work
from shared.dead_letter_api import router as dead_letter_router
from shared.dead_letters import DeadLetters, dead_letter_table
from shared.idempotency import (
    IdempotencyKey,
    IdempotencyKeys,
    IdempotencyMiddleware,
    Replay,
    idempotency_table,
    replay_response,
)
from shared.inbox import (
    Consumer,
    EnvelopeHandler,
    Handler,
    Subscription,
    durable_name,
    inbox_table,
)
from shared.logging import RequestContextMiddleware, configure_logging
from shared.me_api import router as me_router
from shared.operations import OperationLog, OperationLogMiddleware, Recorder, emit_operation
from shared.outbox import OutboxRelay, outbox_table, session_info, written_for_relay
from shared.problems import (
    PROBLEM_JSON,
    PROBLEM_RESPONSES,
    ProblemDetails,
    install_problem_handlers,
    problem_body,
)
from shared.readiness import Readiness
from shared.scheduler import Job, Scheduler
from shared.scheduler.api import router as jobs_router
from shared.sealing import Sealer
from shared.settings import Settings
from shared.workdays import WorkingCalendar

log = structlog.get_logger(__name__)


def messaging_tables(metadata: MetaData) -> tuple[Table, Table]:
    """The outbox and inbox every service keeps beside its own tables, its dead letters
    (``metadata.tables["dead_letter"]``) and its idempotency keys (``"idempotency_key"``)."""
    dead_letter_table(metadata)
    idempotency_table(metadata)
    return outbox_table(metadata), inbox_table(metadata)


class Worker(Protocol):
    """A background loop of a service (``ServiceSpec.workers``)."""

    def start(self) -> None: ...

    async def stop(self) -> None: ...


@dataclass
class ServiceSpec:
    """What makes one service different from another; everything else is shared."""

    name: str
    title: str
    description: str
    metadata: MetaData
    outbox: Table
    inbox: Table
    routers: Sequence[APIRouter] = ()
    handlers: Mapping[type[EventContract], Handler] = field(default_factory=dict)
    """What the service consumes, keyed by contract: a typo fails at import."""
    every_event: EnvelopeHandler | None = None
    """A handler of every event of the county, as it travelled (the audit log)."""
    on_started: Callable[[ServiceKit], Awaitable[None]] | None = None
    workers: Sequence[Callable[[ServiceKit], Worker]] = ()
    """Loops of the service's own beside the relay and the consumer (a courier of calls to
    other systems): made from the kit once it runs, stopped before it. Each keeps its work in
    the database, so a crash loses none of it."""
    record_operation: Recorder = emit_operation
    """How staff operations that emit no event are recorded (shared.operations)."""
    jobs: Sequence[Job] = ()
    """Scheduled jobs (shared.scheduler): run by ``kit.scheduler`` once across replicas, listed
    and run by hand at /api/v1/jobs; the service keeps ``scheduled_job_table(metadata)``."""

    @property
    def subscription(self) -> Subscription:
        return Subscription(self.handlers, self.every_event)

    @property
    def dead_letter(self) -> Table:
        return self.metadata.tables["dead_letter"]


@dataclass
class ServiceKit:
    """The running service's adapters, reachable as ``request.app.state.kit``."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    bus: Bus
    relay: OutboxRelay
    outbox: Table
    inbox: Table
    calendar: WorkingCalendar
    dead_letters: DeadLetters
    sealer: Sealer
    record_operation: Recorder = emit_operation
    clock: Clock = field(default_factory=Clock)
    """The time every rule reads (shared.clock); tests set it or move it ahead."""
    consumer: Consumer | None = None
    idempotency: IdempotencyKeys | None = None
    """The keys of retried POSTs and their answers (shared.idempotency)."""
    workers: list[Worker] = field(default_factory=list)
    """The service's own loops (``ServiceSpec.workers``), running."""
    scheduler: Scheduler | None = None
    """The service's scheduled jobs (``ServiceSpec.jobs``), running; ``run_due()`` runs what
    is due by the clock now."""
    operations: OperationLog = field(init=False)
    """Where staff operations that emit no event are recorded, in group commits."""
    readiness: Readiness = field(init=False)
    """What /readyz reports, probed one at a time and answered at once (shared.readiness)."""

    def __post_init__(self) -> None:
        self.operations = OperationLog(self.unit_of_work, self.record_operation)
        self.readiness = Readiness(self)

    @property
    def service(self) -> str:
        return self.settings.service

    @property
    def county(self) -> str:
        return self.settings.county

    def after_commit(self, session: AsyncSession) -> None:
        if session.info.pop("outbox_dirty", False):
            self.relay.committed(written_for_relay(session))

    def unit_of_work(self) -> Any:
        """A transaction outside a request (scripts, jobs); commits when the block succeeds."""
        return unit_of_work(self.sessions, self.after_commit)


async def start_kit(spec: ServiceSpec, settings: Settings) -> ServiceKit:
    """Migrate, connect and start the relay and the consumer."""
    engine = create_engine(settings)
    if settings.migrate_on_start:
        if not settings.migration_database_url:  # else the owner creates it as it migrates
            await ensure_schema(engine, settings.pg_schema)
        await asyncio.to_thread(migrations.upgrade, settings)
    bus = Bus(settings)
    sealer = Sealer.from_settings(settings)
    clock = Clock()
    sessions = create_sessionmaker(
        engine, info={**session_info(settings, spec.outbox, sealer), CLOCK_KEY: clock})
    relay = OutboxRelay(sessions, spec.outbox, bus, settings)
    kit = ServiceKit(settings=settings, engine=engine, sessions=sessions, bus=bus, relay=relay,
                     outbox=spec.outbox, inbox=spec.inbox,
                     calendar=WorkingCalendar.from_directory(settings.calendar_path),
                     dead_letters=DeadLetters(sessions, spec.dead_letter), sealer=sealer,
                     record_operation=spec.record_operation, clock=clock)
    keys = spec.metadata.tables.get("idempotency_key")
    if keys is not None:
        kit.idempotency = IdempotencyKeys(keys, timedelta(hours=settings.idempotency_ttl_h),
                                          sessions)
        kit.idempotency.start()
    await bus.start()
    relay.start()
    if spec.subscription:
        kit.consumer = Consumer(durable=durable_name(settings.service, settings.county),
                                subscription=spec.subscription, sessions=sessions,
                                inbox=spec.inbox, dead_letters=kit.dead_letters, bus=bus,
                                settings=settings, sealer=sealer, after_commit=kit.after_commit)
        kit.dead_letters.consumer = kit.consumer
        kit.consumer.start()
    for make in spec.workers:
        worker = make(kit)
        kit.workers.append(worker)
        worker.start()
    if spec.jobs:
        table = spec.metadata.tables.get("scheduled_job")
        if table is None:
            raise RuntimeError(f"{spec.name} has jobs: its metadata needs "
                               "shared.scheduler.scheduled_job_table")
        kit.scheduler = Scheduler(kit, spec.jobs, table)
        kit.scheduler.start()
    return kit


async def stop_kit(kit: ServiceKit) -> None:
    if kit.scheduler is not None:
        await kit.scheduler.stop()
    for worker in kit.workers:
        await worker.stop()
    await kit.operations.drain()
    if kit.idempotency is not None:
        await kit.idempotency.stop()
    if kit.consumer is not None:
        await kit.consumer.stop()
    await kit.relay.stop()
    await kit.bus.close()
    await dispose(kit.engine)


_frozen = False


def freeze_startup_objects() -> None:
    """Take what the process has made up to now out of the garbage collector's full
    collections (``gc.freeze``), after collecting what is already garbage; once a process.

    A started service's modules, schemas, mappers, routes and what its startup made are some
    150,000 objects that live as long as the process. A full collection scans them all: 50–100
    ms on the reference machine (260 ms in the audit service during a bench run), the event
    loop stopped meanwhile, as long as a request's p99 at 32 clients. Frozen, a full collection
    scans only what was made since, well under a millisecond (docs/performance.md). Once a
    process, at its first service's start: a process runs one service (the tests run many in
    one, and a full collection at each start would cost them minutes)."""
    global _frozen
    if _frozen:
        return
    _frozen = True
    gc.collect()
    gc.freeze()


def create_service_app(spec: ServiceSpec, settings: Settings | None = None) -> FastAPI:
    """The FastAPI app of one service, built the same way for all of them."""
    settings = settings or Settings(service=spec.name)
    configure_logging(settings.log_format, settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        structlog.contextvars.bind_contextvars(service=spec.name)
        kit = await start_kit(spec, settings)
        app.state.kit = kit
        if spec.on_started is not None:
            await spec.on_started(kit)
        log.info("service_started", service=spec.name, database=kit.engine.url.render_as_string(),
                 nats=settings.nats_url)
        freeze_startup_objects()
        try:
            yield
        finally:
            await stop_kit(kit)
            log.info("service_stopped", service=spec.name)

    app = FastAPI(title=spec.title, description=spec.description + FORMATS, version="0.1.0",
                  lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url="/openapi.json")
    install_docs(app)  # /docs, /redoc: served from here, not from a CDN
    # innermost: a keyed POST's answer is committed with its effect before it is sent
    app.add_middleware(IdempotencyMiddleware)
    app.add_middleware(OperationLogMiddleware)  # inside: sees the ids and the user
    # an oversized body is refused before anything reads it or asks for a token
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes,
                       limits={UPLOAD: settings.max_upload_bytes})  # routes that take files
    # outermost: every answer, a refusal of the body limit included, names its request id
    app.add_middleware(RequestContextMiddleware, service=spec.name,
                       trusted_proxies=settings.trusted_proxy_networks)
    install_problem_handlers(app)
    app.add_exception_handler(Replay, replay_response)  # a retried POST: its first answer
    app.include_router(health_router())
    routers = [*spec.routers, me_router, *([dead_letter_router] if spec.subscription else []),
               *([jobs_router] if spec.jobs else [])]
    for router in routers:
        app.include_router(router, prefix="/api/v1", responses=PROBLEM_RESPONSES)
    _document_problems(app)
    return app


def _document_problems(app: FastAPI) -> None:
    """Put the problem+json schema into the OpenAPI document the error responses refer to."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version,
                                 description=app.description, routes=app.routes)
            schemas = schema.setdefault("components", {}).setdefault("schemas", {})
            schemas.update(ProblemDetails.model_json_schema(
                ref_template="#/components/schemas/{model}").pop("$defs", {}))
            schemas["ProblemDetails"] = ProblemDetails.model_json_schema(
                ref_template="#/components/schemas/{model}")
            schemas["ProblemDetails"].pop("$defs", None)
            document_operations(app, schema)  # roles from the code, 413 where a body goes
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def health_router() -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/healthz", summary="The process is alive",
                description="200 as long as the process serves requests; checks nothing else.")
    async def healthz(request: Request) -> dict[str, str]:
        return {"status": "ok", "service": request.app.state.kit.service}

    @router.get("/readyz", summary="The database and NATS are reachable",
                description="200 when the database and NATS answer, else 503 with `checks` "
                "saying which does not. Also shows what waits, without changing the status: "
                "`outbox_unsent`, `events_failing` (not yet applied, to be redelivered), "
                "`dead_letters` (parked) and, in a service with scheduled jobs, `jobs` (names "
                "of those whose last run `failed` and of those `late`). Answers at once under "
                "load: probes run one at a time, and a request that would wait for one gets "
                "the last one if it is under a second old (`checked_ms_ago`).",
                responses={503: {"content": {PROBLEM_JSON: {}}}})
    async def readyz(request: Request) -> JSONResponse:
        kit: ServiceKit = request.app.state.kit
        answer = await kit.readiness.answer()
        if answer.ready:
            return JSONResponse({"status": "ready", "service": kit.service, **answer.body()})
        body = problem_body(503, "not-ready", "Not ready", "a dependency is unreachable",
                            "/readyz", **answer.body())
        return JSONResponse(body, status_code=503, media_type=PROBLEM_JSON)

    return router


async def _request_session(request: Request) -> AsyncIterator[AsyncSession]:
    kit: ServiceKit = request.app.state.kit
    read_only = request.method in ("GET", "HEAD")  # one snapshot for the whole read
    answer = None if read_only else idempotency.pending()
    if answer is not None:  # a POST with Idempotency-Key: its answer commits with its effect
        async with answer.unit_of_work(kit.sessions, kit.after_commit) as session:
            yield session
        return
    async with unit_of_work(kit.sessions, kit.after_commit, read_only=read_only) as session:
        yield session


DbSession = Annotated[AsyncSession, Depends(_request_session, scope="function")]
"""One unit of work per request: committed before the response is sent, rolled back on error."""


async def _claim_idempotency_key(request: Request, session: DbSession, user: CurrentUser,
                                 key: IdempotencyKey = None) -> None:
    if key is None:
        return
    keys = request.app.state.kit.idempotency
    if keys is None:
        raise RuntimeError(f"{request.app.state.kit.service} keeps no idempotency keys")
    await keys.claim(request, session, user.user_id, key)


Idempotent = Depends(_claim_idempotency_key)
"""``dependencies=[Idempotent]`` on a POST that creates something: it honours Idempotency-Key
(``shared.idempotency``), and its OpenAPI operation documents the header. For JSON bodies: a
multipart route's body is streamed into the form, not kept for the request's fingerprint."""


# The dependencies below are `async def` though they await nothing: FastAPI runs a plain
# `def` dependency in a worker thread, a hand-off costing more than the function itself.
async def kit_of(request: Request) -> ServiceKit:
    return request.app.state.kit


Kit = Annotated[ServiceKit, Depends(kit_of)]


async def _now(request: Request) -> datetime:
    return request.app.state.kit.clock.now()


async def _today(request: Request) -> date:
    return request.app.state.kit.clock.today()


Now = Annotated[datetime, Depends(_now)]
"""The service clock's current instant (shared.clock), UTC."""
Today = Annotated[date, Depends(_today)]
"""The service clock's current Asia/Shanghai day (shared.clock)."""
