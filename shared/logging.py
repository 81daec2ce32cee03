"""structlog setup and the request middleware that binds request id, correlation id and user."""

from __future__ import annotations

import ipaddress
import logging
import re
import sys
import time
from collections.abc import Sequence

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared import context
from shared.problems import INTERNAL_ERROR, send_problem

REQUEST_ID_HEADER = "x-request-id"
CORRELATION_ID_HEADER = "x-correlation-id"
FORWARDED_FOR_HEADER = b"x-forwarded-for"
ID_PATTERN = re.compile(r"[A-Za-z0-9._:-]{1,64}")
"""A request or correlation id a client may give: 1 to 64 letters, digits and ``. _ : -``."""

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def checked_id(value: str | None) -> str | None:
    """``value`` if it is a usable request or correlation id (``ID_PATTERN``), else None."""
    return value if value is not None and ID_PATTERN.fullmatch(value) else None


def _address(text: str) -> Address | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def source_address(peer: str | None, forwarded_for: Sequence[str],
                   trusted: Sequence[Network]) -> str | None:
    """The client's address. The socket peer, unless the peer is a trusted proxy: then the
    right-most ``X-Forwarded-For`` address that is not itself a trusted proxy (each proxy appends
    the address it was connected from, so everything left of that is the client's own say).
    Only IP addresses are taken: a hop that is not one stops the walk at the proxy before it."""
    address = _address(peer) if peer else None
    if address is None or not trusted or not forwarded_for:
        return str(address) if address is not None else None
    hops = [hop for header in forwarded_for for hop in header.split(",")]
    while hops and any(address in network for network in trusted):
        hop = _address(hops.pop())
        if hop is None:
            break
        address = hop
    return str(address)


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

    def __init__(self, app: ASGIApp, service: str, trusted_proxies: Sequence[Network] = ()) -> None:
        self.app = app
        self.service = service
        self.trusted_proxies = tuple(trusted_proxies)
        self.log = structlog.get_logger("access")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        given_rid, given_cid = headers.get(REQUEST_ID_HEADER), headers.get(CORRELATION_ID_HEADER)
        rid = checked_id(given_rid) or context.new_id()
        cid = checked_id(given_cid) or rid
        client = scope.get("client")
        forwarded = [v.decode("latin-1") for k, v in scope["headers"]
                     if k.lower() == FORWARDED_FOR_HEADER] if self.trusted_proxies else []
        source = source_address(client[0] if client else None, forwarded, self.trusted_proxies)
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
        for header, given, used in ((REQUEST_ID_HEADER, given_rid, rid),
                                    (CORRELATION_ID_HEADER, given_cid, cid)):
            if given and given != used:  # never the value itself: it may be anything
                self.log.warning("id_replaced", header=header, length=len(given))
        started = time.perf_counter()
        status = 500
        responded = False

        async def send_with_ids(message: Message) -> None:
            nonlocal status, responded
            if message["type"] == "http.response.start":
                status, responded = message["status"], True
                extra = [
                    (REQUEST_ID_HEADER.encode(), rid.encode()),
                    (CORRELATION_ID_HEADER.encode(), cid.encode()),
                ]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        try:
            await self.app(scope, receive, send_with_ids)
        except Exception as exc:
            if responded:
                raise
            # Answered here, inside the request's context, so the problem names its request id
            # (Starlette's outermost error middleware runs after the context is gone).
            self.log.exception("unhandled_error", error=repr(exc))
            await send_problem(send_with_ids, scope, 500, *INTERNAL_ERROR)
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

