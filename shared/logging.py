"""structlog setup and the request middleware that binds request id, correlation id and user."""

from __future__ import annotations

import logging
import sys
import time

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared import context

REQUEST_ID_HEADER = "x-request-id"
CORRELATION_ID_HEADER = "x-correlation-id"


def configure_logging(fmt: str = "console", level: str = "INFO") -> None:
    """JSON lines in production, readable lines in a terminal; context vars on every line."""
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )


class RequestContextMiddleware:
    """Pure ASGI middleware: request and correlation ids in, on the response, in the logs."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service
        self.log = structlog.get_logger("access")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        rid = headers.get(REQUEST_ID_HEADER) or context.new_id()
        cid = headers.get(CORRELATION_ID_HEADER) or rid
        client = scope.get("client")
        forwarded = headers.get("x-forwarded-for", "").split(",")[0].strip()
        source = forwarded or (client[0] if client else None)
        tokens = (
            context.request_id.set(rid),
            context.correlation_id.set(cid),
            context.source_address.set(source),
            context.current_actor.set(context.ANONYMOUS),
        )
        outer = structlog.contextvars.get_contextvars()  # in-process callers share our task
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(
            service=self.service, request_id=rid, correlation_id=cid
        )
        started = time.perf_counter()
        status = 500

        async def send_with_ids(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                extra = [
                    (REQUEST_ID_HEADER.encode(), rid.encode()),
                    (CORRELATION_ID_HEADER.encode(), cid.encode()),
                ]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        try:
            await self.app(scope, receive, send_with_ids)
        finally:
            path = scope.get("path", "")
            if path not in ("/healthz", "/readyz"):
                self.log.info("request", method=scope.get("method"), path=path, status=status,
                              ms=round((time.perf_counter() - started) * 1000, 1))
            context.request_id.reset(tokens[0])
            context.correlation_id.reset(tokens[1])
            context.source_address.reset(tokens[2])
            context.current_actor.reset(tokens[3])
            structlog.contextvars.clear_contextvars()
            structlog.contextvars.bind_contextvars(**outer)
