"""A loop of a service's own (``ServiceSpec.workers``): it takes its work from the database,
one piece at a time, backs off while the database is away, and looks again every
``courier_poll_interval_s`` when there is none (verification's couriers and check runner, the
audit service's checkpoint courier)."""

from __future__ import annotations

import asyncio
import contextlib
from abc import ABC, abstractmethod
from collections.abc import Iterator

import structlog

from shared import context
from shared.service import ServiceKit
from shared.tasks import stop_task

log = structlog.get_logger(__name__)


class PollingWorker(ABC):
    name = "worker"

    def __init__(self, kit: ServiceKit) -> None:
        self.kit = kit
        self._task: asyncio.Task[None] | None = None
        self._wakeup = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name=f"{self.kit.service}-{self.name}")

    async def stop(self) -> None:
        await stop_task(self._task)

    def wake(self) -> None:
        """Look for work now (after a commit that made some)."""
        self._wakeup.set()

    async def run(self) -> None:
        backoff = 0.5
        while True:
            self._wakeup.clear()
            try:
                worked = await self.work_once()
                backoff = 0.5
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - the database away: try again later
                log.warning(f"{self.name}_retry", error=repr(exc)[:500], retry_in_s=backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 30.0)
                continue
            if worked:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(),
                                       self.kit.settings.courier_poll_interval_s)

    @abstractmethod
    async def work_once(self) -> bool:
        """Do one piece of work; False when there was none."""


@contextlib.contextmanager
def acting(service: str, correlation: str | None) -> Iterator[None]:
    """The system actor and the request's correlation id, for the events a worker emits."""
    tokens = (context.current_actor.set(context.system_actor(service)),
              context.correlation_id.set(correlation), context.request_id.set(None))
    try:
        yield
    finally:
        context.current_actor.reset(tokens[0])
        context.correlation_id.reset(tokens[1])
        context.request_id.reset(tokens[2])
