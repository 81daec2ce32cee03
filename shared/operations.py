"""Staff operations that change nothing still reach the operation log (R-AU-1, R-SE-2).

A request that changes something leaves its domain events, which carry who, what, when, the
request id and the source address. A request that emits no event — reading a record or a list,
or a refusal because the caller lacks the role or the jurisdiction — is an ``Operation``, which
the service records *before the response leaves*: a read whose record cannot be written is
answered 503, never served unlogged. By default the record is an ``operation_recorded`` event
through the outbox, so it reaches the audit log like any other event. (The audit service records
reads of the log itself in its own append-only table: logging them into the chain they read
would change what the next reader sees.) Requests without a valid token, and requests refused as
invalid (422), conflicting (409) or not found (404), change nothing and are not staff
operations; but a record outside the caller's divisions, answered 404 so that its existence is
never confirmed (R-SE-1), is an attempt beyond their jurisdiction: recorded, with its 404 (a
404 in the log is always that).

Recording costs little: the operations of concurrent requests share one transaction (group
commit, ``OperationLog``), so under load a read adds a row to a batch rather than a commit.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared import context
from shared.contracts.kit import OperationRecorded
from shared.db import utcnow
from shared.outbox import emit
from shared.problems import send_problem

log = structlog.get_logger(__name__)

API_PREFIX = "/api/v1/"
RECORDED_STATUSES = frozenset({403})  # besides every 2xx that emitted no event
OPERATION_RECORDED = OperationRecorded.event
MAX_BATCH = 500
"""Operations written in one transaction at most."""


@dataclass(frozen=True)
class Operation:
    """One staff request that emitted no domain event."""

    actor: context.Actor
    method: str
    path: str
    route: str
    query: str
    status: int
    subject: str
    request_id: str | None
    source_address: str | None
    correlation_id: str | None = None
    at: datetime = field(default_factory=utcnow)

    @property
    def division(self) -> str | None:
        """The acting office: the first division of the actor."""
        return self.actor.divisions[0] if self.actor.divisions else None

    def as_data(self) -> dict[str, Any]:
        data = asdict(self)
        for kept_in_the_envelope in ("actor", "request_id", "source_address", "correlation_id",
                                     "at"):
            del data[kept_in_the_envelope]
        return data


Recorder = Callable[[AsyncSession, Operation], Awaitable[None]]
"""Writes one operation's record in the given transaction."""


@contextlib.contextmanager
def acting_as(operation: Operation) -> Iterator[None]:
    """The request's actor and ids, for a record written outside the request's own task."""
    actor = context.current_actor.set(operation.actor)
    ids = [(var, var.set(value)) for var, value in (
        (context.request_id, operation.request_id),
        (context.correlation_id, operation.correlation_id),
        (context.source_address, operation.source_address))]
    try:
        yield
    finally:
        for var, token in reversed(ids):
            var.reset(token)
        context.current_actor.reset(actor)


async def emit_operation(session: AsyncSession, operation: Operation) -> None:
    """The default recorder: an ``operation_recorded`` event in the outbox."""
    with acting_as(operation):
        await emit(session, OperationRecorded(**operation.as_data()), subject=operation.subject,
                   division=operation.division)


class OperationLog:
    """Group commit of operation records: the operations of concurrent requests are written in
    one transaction; each request waits until its own record is committed."""

    def __init__(self, unit_of_work: Callable[[], contextlib.AbstractAsyncContextManager[
                 AsyncSession]], recorder: Recorder) -> None:
        self.unit_of_work = unit_of_work
        self.recorder = recorder
        self._waiting: list[tuple[Operation, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def record(self, operation: Operation) -> None:
        """Return once ``operation`` is committed; raise if it could not be."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((operation, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write(), name="operation-log")
        await asyncio.shield(done)  # a client gone away does not take the record with it

    async def _write(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting[:MAX_BATCH], self._waiting[MAX_BATCH:]
            try:
                async with self.unit_of_work() as session:
                    for operation, _ in batch:
                        await self.recorder(session, operation)
            except Exception as exc:  # noqa: BLE001 - each waiting request hears of it
                for _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
            else:
                for _, done in batch:
                    if not done.done():
                        done.set_result(None)

    async def drain(self) -> None:
        """Wait for the records being written (at shutdown)."""
        if self._writer is not None:
            with contextlib.suppress(Exception):
                await self._writer


def should_record(*, role: str, status: int, emitted: bool, hidden: bool = False) -> bool:
    """A staff operation the domain events don't already record; ``hidden``: answered 404 for
    a record outside the caller's divisions (an attempt beyond them)."""
    if role == context.ANONYMOUS.role or emitted:
        return False
    return 200 <= status < 300 or status in RECORDED_STATUSES or (hidden and status == 404)


def route_template(scope: Scope) -> str:
    """The path with its parameters named: /api/v1/applications/{application_id}."""
    path = str(scope.get("path", ""))
    params: dict[str, Any] = scope.get("path_params") or {}
    parts = path.split("/")
    for name, value in params.items():
        parts = [f"{{{name}}}" if part == str(value) else part for part in parts]
    return "/".join(parts)


def operation_subject(scope: Scope) -> str:
    """The record the operation touched (the last id in the path), else the route template."""
    params: dict[str, Any] = scope.get("path_params") or {}
    if params:
        return str(list(params.values())[-1])
    return route_template(scope)


def operation_of(scope: Scope, status: int, actor: context.Actor) -> Operation:
    return Operation(
        actor=actor, method=str(scope.get("method")), path=str(scope.get("path")),
        route=route_template(scope), status=status, subject=operation_subject(scope),
        query=scope.get("query_string", b"").decode("latin-1")[:1000],
        request_id=context.request_id.get(), source_address=context.source_address.get(),
        correlation_id=context.correlation_id.get(),
    )


class OperationLogMiddleware:
    """Pure ASGI middleware under the request context: records the operations that emit
    nothing, before their response starts."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope.get("path", "").startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        refused = False

        async def send_once_recorded(message: Message) -> None:
            nonlocal refused
            if refused:
                return  # the app's own answer was replaced: drop the rest of it
            if message["type"] == "http.response.start":
                actor = context.current_actor.get()
                if should_record(role=actor.role, status=message["status"],
                                 emitted=context.events_emitted.get(),
                                 hidden=context.hidden_record.get()):
                    operation = operation_of(scope, message["status"], actor)
                    try:
                        await scope["app"].state.kit.operations.record(operation)
                    except Exception as exc:  # noqa: BLE001
                        log.error("operation_not_recorded", error=repr(exc),
                                  **operation.as_data())
                        refused = True
                        # 503: it would leave without its record in the operation log
                        await send_problem(
                            send, scope, 503, "operation-not-logged",
                            "Operation could not be logged",
                            "the operation log could not record this request, so it is not "
                            "answered (R-AU-1); try again")
                        return
            await send(message)

        token = context.events_emitted.set(False)
        hidden = context.hidden_record.set(False)
        try:
            await self.app(scope, receive, send_once_recorded)
        finally:
            context.events_emitted.reset(token)
            context.hidden_record.reset(hidden)

