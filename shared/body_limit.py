"""One limit on the size of a request body, enforced before anything reads it.

``BodyLimitMiddleware`` is the outermost layer of every service (``create_service_app``): a
request announcing a larger ``Content-Length`` is answered 413 at once, before authentication
and without reading a byte of its body; a body sent without a length (chunked) is counted as
the application reads it and cut off with 413 as soon as it passes the limit, so no request
holds more than the limit in memory. ``ASSIST_MAX_BODY_BYTES`` sets it (1 MiB by default).

A route that takes larger bodies (file uploads) declares its own limit by name,
``openapi_extra=body_limit(UPLOAD)``; the middleware is given what each name allows
(``UPLOAD``: ``ASSIST_MAX_UPLOAD_BYTES``, 10 MiB by default). The route is looked up only for a
body that passes the default limit, so every other request takes the path it always took, and
a body over its route's limit is still refused before it is read.
"""

from __future__ import annotations

from collections.abc import Mapping
from re import Pattern
from typing import Any

from fastapi import routing
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.problems import send_problem

SLUG, TITLE = "content-too-large", "Content too large"
LIMIT_KEY = "x-body-limit"
"""The OpenAPI extension naming a route's own body limit."""
UPLOAD = "upload"
"""The limit of routes that take files: ``ASSIST_MAX_UPLOAD_BYTES``."""


def body_limit(name: str) -> dict[str, Any]:
    """``openapi_extra`` of a route whose bodies may be larger than the default limit:
    ``@router.post(..., openapi_extra=body_limit(UPLOAD))``."""
    return {LIMIT_KEY: name}


class ContentTooLarge(HTTPException):
    """Raised to the application when the body it reads passes the limit. An HTTPException,
    so that FastAPI lets it through the body parsing instead of making it a 400."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes")


class BodyLimitMiddleware:
    """Pure ASGI: 413 problem+json for a body over ``max_bytes`` (or over the limit its route
    declares, one of ``limits``), without reading it."""

    def __init__(self, app: ASGIApp, max_bytes: int,
                 limits: Mapping[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.limits = dict(limits or {})
        self._declared: list[tuple[Pattern[str], frozenset[str], int]] | None = None

    def route_limit(self, scope: Scope) -> int:
        """The limit of the route the request goes to: its declared one, else the default."""
        if self._declared is None:
            self._declared = self._declared_limits(getattr(scope.get("app"), "routes", ()))
        path, method = scope.get("path", ""), scope.get("method", "")
        for pattern, methods, limit in self._declared:
            if method in methods and pattern.match(path):
                return limit
        return self.max_bytes

    def _declared_limits(self, routes: Any) -> list[tuple[Pattern[str], frozenset[str], int]]:
        """The routes that declare a limit of their own (``body_limit``), however nested."""
        contexts = getattr(routing, "iter_route_contexts", None)  # FastAPI ≥ 0.160 nests
        declared = []
        for route in contexts(routes) if contexts else routes:
            name = (getattr(route, "openapi_extra", None) or {}).get(LIMIT_KEY)
            if name in self.limits and getattr(route, "path_regex", None) is not None:
                declared.append((route.path_regex, frozenset(route.methods or ()),
                                 max(self.limits[name], self.max_bytes)))
        return declared

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = _content_length(scope)
        if length == -1:
            await send_problem(send, scope, 400, "bad-request", "Bad request",
                               "the Content-Length header is not a number of bytes", close=True)
            return
        limit, looked_up = self.max_bytes, False
        if length is not None and length > limit:
            limit, looked_up = self.route_limit(scope), True
            if length > limit:
                await self._too_large(scope, send, limit)
                return
        received = 0
        exceeded = False
        answered = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded, limit, looked_up
            if exceeded:  # never pull more of a body already refused
                raise ContentTooLarge(limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit and not looked_up:
                    limit, looked_up = self.route_limit(scope), True
                if received > limit:
                    exceeded = True
                    raise ContentTooLarge(limit)
            return message

        async def checked_send(message: Message) -> None:
            nonlocal answered
            if exceeded:  # whatever the layers inside made of it, the answer is ours
                if message["type"] == "http.response.start" and not answered:
                    answered = True
                    await self._too_large(scope, send, limit)
                return
            if message["type"] == "http.response.start":
                answered = True
            await send(message)

        try:
            await self.app(scope, limited_receive, checked_send)
        except Exception:
            if not exceeded or answered:
                raise
            await self._too_large(scope, send, limit)

    async def _too_large(self, scope: Scope, send: Send, limit: int) -> None:
        await send_problem(send, scope, 413, SLUG, TITLE,
                           f"the request body is larger than this installation accepts "
                           f"({limit} bytes)", close=True, max_bytes=limit)


def _content_length(scope: Scope) -> int | None:
    """The announced length; None without one, -1 if it is not a number."""
    for name, value in scope.get("headers", ()):
        if name.lower() == b"content-length":
            text = value.decode("latin-1").strip()
            if not (text.isascii() and text.isdigit()):
                return -1
            return int(text) if len(text) < 30 else 10**30
    return None
