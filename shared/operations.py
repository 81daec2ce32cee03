"""Staff operations that change nothing still reach the operation log (R-AU-1, R-SE-2).

A request that changes something leaves its domain events, which carry who, what, when, the
request id and the source address. A request that emits no event — reading a record or a list,
or a refusal because the caller lacks the role or the jurisdiction — is an ``Operation``, which
the service records after the response: by default as an ``operation_recorded`` event through
its outbox, so that it reaches the audit log like any other event. (The audit service records
reads of the log itself in its own append-only table: logging them into the chain they read
would change what the next reader sees.) Requests without a valid token, and requests refused as
invalid (422), conflicting (409) or not found (404), change nothing and are not staff
operations.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared import context
from shared.contracts.kit import OperationRecorded
from shared.db import utcnow
from shared.outbox import emit

log = structlog.get_logger(__name__)

API_PREFIX = "/api/v1/"
RECORDED_STATUSES = frozenset({403})  # besides every 2xx that emitted no event
OPERATION_RECORDED = OperationRecorded.event


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
    at: datetime = field(default_factory=utcnow)

    @property
    def division(self) -> str | None:
        """The acting office: the first division of the actor."""
        return self.actor.divisions[0] if self.actor.divisions else None

    def as_data(self) -> dict[str, Any]:
        data = asdict(self)
        del data["actor"], data["request_id"], data["source_address"], data["at"]
        return data


Recorder = Callable[[Any, Operation], Awaitable[None]]
"""Records an operation, given the service kit."""


async def emit_operation(kit: Any, operation: Operation) -> None:
    """The default recorder: an ``operation_recorded`` event, in its own transaction."""
    async with kit.unit_of_work() as session:
        await emit(session, OperationRecorded(**operation.as_data()), subject=operation.subject,
                   division=operation.division)


def should_record(*, role: str, status: int, emitted: bool) -> bool:
    """A staff operation the domain events don't already record."""
    if role == context.ANONYMOUS.role or emitted:
        return False
    return 200 <= status < 300 or status in RECORDED_STATUSES


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


class OperationLogMiddleware:
    """Pure ASGI middleware under the request context: records operations that emit nothing."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope.get("path", "").startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        status = 500

        async def send_capturing_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        token = context.events_emitted.set(False)
        try:
            await self.app(scope, receive, send_capturing_status)
        finally:
            emitted = context.events_emitted.get()
            context.events_emitted.reset(token)
            actor = context.current_actor.get()
            if should_record(role=actor.role, status=status, emitted=emitted):
                await self._record(scope, status, actor)

    async def _record(self, scope: Scope, status: int, actor: context.Actor) -> None:
        operation = Operation(
            actor=actor, method=str(scope.get("method")), path=str(scope.get("path")),
            route=route_template(scope), status=status, subject=operation_subject(scope),
            query=scope.get("query_string", b"").decode("latin-1")[:1000],
            request_id=context.request_id.get(), source_address=context.source_address.get(),
        )
        try:
            kit = scope["app"].state.kit
            await kit.record_operation(kit, operation)
        except Exception as exc:  # noqa: BLE001 - the response is sent; say it loudly instead
            log.error("operation_not_recorded", error=repr(exc), **operation.as_data())
