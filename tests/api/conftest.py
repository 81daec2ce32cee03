"""Every service served over real HTTP on loopback for API-level fuzzing (schemathesis).

The services run with their real lifespan (database, migrations, NATS) in a background thread
with its own event loop, one uvicorn server each, once per test session.
"""

from __future__ import annotations

import asyncio
import importlib
import socket
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from shared.natsd import NatsServer
from shared.settings import SERVICE_NAMES, Settings
from tests.conftest import TEST_DATABASE_URL, TEST_SECRET, drop_schemas


class ServedCounty:
    """The six services on loopback, their base URLs and the settings to sign tokens with."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.run = uuid.uuid4().hex[:8]
        self.nats = NatsServer(folder / "nats", log_file=folder / "nats.log")
        self.urls: dict[str, str] = {}
        self.settings: dict[str, Settings] = {}
        self._servers: list[uvicorn.Server] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="served-county",
                                        daemon=True)

    def settings_for(self, service: str) -> Settings:
        values: dict[str, Any] = {
            "service": service, "data_dir": self.folder / "data", "nats_url": self.nats.url,
            "jwt_secret": TEST_SECRET, "log_level": "ERROR", "relay_poll_interval_s": 0.2,
        }
        if TEST_DATABASE_URL:
            values |= {"database_url": TEST_DATABASE_URL, "db_schema": f"a{self.run}_{service}"}
        return Settings(**values)

    def start(self) -> None:
        self.nats.start()
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve_all(), self._loop).result(timeout=120)

    async def _serve_all(self) -> None:
        for service in SERVICE_NAMES:
            settings = self.settings_for(service)
            app = importlib.import_module(f"services.{service}.app").create_app(settings)
            # Bound here and handed over: a port chosen first and bound by uvicorn later could
            # be taken in between, and uvicorn's exit on a failed bind would end this loop.
            listening = socket.create_server(("127.0.0.1", 0))
            port = listening.getsockname()[1]
            server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                                   log_level="warning", lifespan="on"))
            task = self._loop.create_task(server.serve(sockets=[listening]))
            self._tasks.append(task)
            while not server.started:
                if task.done():
                    raise RuntimeError(f"{service} did not start: {task.exception()!r}")
                await asyncio.sleep(0.05)
            self._servers.append(server)
            self.settings[service] = settings
            self.urls[service] = f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        async def shutdown() -> None:
            for server in self._servers:
                server.should_exit = True
            await asyncio.wait(self._tasks, timeout=20)

        try:
            asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(timeout=30)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
            self.nats.stop()
        if TEST_DATABASE_URL:
            asyncio.run(drop_schemas(TEST_DATABASE_URL,
                                     {s.db_schema or "" for s in self.settings.values()}))


@pytest.fixture(scope="session")
def served_county(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedCounty]:
    county = ServedCounty(tmp_path_factory.mktemp("served-county"))
    county.start()
    try:
        yield county
    finally:
        county.stop()
