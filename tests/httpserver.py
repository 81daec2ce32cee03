"""A real HTTP server on loopback, in the test's own event loop: uvicorn serving an ASGI app
(a service with its lifespan, or a small stand-in for another government system)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn

from shared.natsd import free_port


@asynccontextmanager
async def serving(app: Any, port: int | None = None, *, lifespan: str = "auto"
                  ) -> AsyncIterator[str]:
    """Serve ``app`` on 127.0.0.1 (``port``, else a free one) until the block ends; gives its
    base URL."""
    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, lifespan=lifespan,
                                           log_level="warning", access_log=False))
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()  # raises why it could not start
                raise RuntimeError("the server stopped before it started")
            await asyncio.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait({task}, timeout=15)
