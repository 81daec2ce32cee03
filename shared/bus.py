"""The NATS JetStream connection: connect and reconnect forever, stream and consumer setup."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import nats
import structlog
from nats.aio.client import Client as NATS
from nats.errors import TimeoutError as NoAck
from nats.js import JetStreamContext
from nats.js.api import (
    AckPolicy,
    ConsumerConfig,
    DeliverPolicy,
    PubAck,
    RetentionPolicy,
    StorageType,
    StreamConfig,
)
from nats.js.errors import BadRequestError, NotFoundError

from shared.events import SUBJECT_ROOT
from shared.settings import Settings
from shared.tasks import stop_task

log = structlog.get_logger(__name__)

DUPLICATE_WINDOW_S = 120.0


def stream_config(settings: Settings) -> StreamConfig:
    """The domain event stream: file storage, kept, deduplicated, never deleted or purged."""
    return StreamConfig(
        name=settings.stream,
        subjects=[f"{SUBJECT_ROOT}.>"],
        storage=StorageType.FILE,
        retention=RetentionPolicy.LIMITS,
        num_replicas=settings.stream_replicas,
        duplicate_window=DUPLICATE_WINDOW_S,
        deny_delete=True,
        deny_purge=True,
    )


class Bus:
    """One NATS connection per service process; the service starts even while NATS is away."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.nc: NATS | None = None
        self._js: JetStreamContext | None = None
        self._ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False

    @property
    def connected(self) -> bool:
        return self.nc is not None and self.nc.is_connected and self._ready.is_set()

    @property
    def js(self) -> JetStreamContext:
        if self._js is None:
            raise ConnectionError("NATS is not connected yet")
        return self._js

    async def start(self) -> None:
        """Connect in the background, retrying until NATS answers."""
        self._task = asyncio.create_task(self._connect_until_ready(), name="nats-connect")

    async def wait_ready(self, timeout: float | None = None) -> None:
        await asyncio.wait_for(self._ready.wait(), timeout)

    async def _connect_until_ready(self) -> None:
        delay = 0.2
        while True:
            try:
                self.nc = await nats.connect(
                    servers=[s.strip() for s in self.settings.nats_url.split(",")],
                    name=f"assist-{self.settings.service}",
                    connect_timeout=self.settings.nats_connect_timeout_s,
                    allow_reconnect=True,
                    max_reconnect_attempts=-1,
                    reconnect_time_wait=0.5,
                    error_cb=self._on_error,
                    disconnected_cb=self._on_disconnected,
                    reconnected_cb=self._on_reconnected,
                )
                self._js = self.nc.jetstream(timeout=self.settings.nats_connect_timeout_s)
                await self.ensure_stream()
                self._ready.set()
                log.info("nats_connected", url=self.settings.nats_url)
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - NATS away: keep trying
                log.warning("nats_connect_failed", error=repr(exc), retry_in_s=delay)
                if self.nc is not None:
                    with contextlib.suppress(Exception):
                        await self.nc.close()
                    self.nc = None
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)

    async def ensure_stream(self) -> None:
        """Create the stream, or bring its configuration up to date."""
        config = stream_config(self.settings)
        try:
            await self.js.stream_info(config.name or "")
        except NotFoundError:
            try:
                await self.js.add_stream(config)
                log.info("stream_created", stream=config.name)
                return
            except BadRequestError:  # another service created it meanwhile
                pass
        await self.js.update_stream(config)

    async def ensure_consumer(self, durable: str, filter_subjects: list[str]) -> None:
        """A durable pull consumer with explicit acks, from the start of the stream."""
        config = ConsumerConfig(
            durable_name=durable,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            ack_wait=30,
            max_deliver=-1,
            max_ack_pending=self.settings.consumer_max_ack_pending,
            filter_subjects=filter_subjects if len(filter_subjects) > 1 else None,
            filter_subject=filter_subjects[0] if len(filter_subjects) == 1 else None,
        )
        await self.js.add_consumer(self.settings.stream, config)

    async def publish(self, subject: str, payload: bytes, msg_id: str, *,
                      attempts: int = 3) -> PubAck:
        """Publish to JetStream with the event id as Nats-Msg-Id and wait for the ack; sent
        again when no ack came in time (an fsync that stalls), up to ``attempts`` times: the
        Nats-Msg-Id makes JetStream keep one message, and acknowledge a repeat as a duplicate."""
        attempt = 1
        while True:
            try:
                return await self.js.publish(
                    subject, payload, headers={"Nats-Msg-Id": msg_id},
                    timeout=self.settings.nats_connect_timeout_s,
                )
            except NoAck:
                if attempt >= attempts:
                    raise
                log.warning("publish_retry", subject=subject, msg_id=msg_id, attempt=attempt)
                attempt += 1

    async def close(self) -> None:
        self._closing = True
        with contextlib.suppress(Exception):
            await stop_task(self._task)
        if self.nc is not None:
            # Consumers and relay are stopped by now; flush pending acks, then close. (drain()
            # would wait up to 30 s for a pull subscription whose fetch was cancelled.)
            with contextlib.suppress(Exception):
                await self.nc.flush(timeout=1)
            with contextlib.suppress(Exception):
                await self.nc.close()

    async def _on_error(self, exc: Exception) -> None:
        log.debug("nats_error", error=repr(exc))

    async def _on_disconnected(self) -> None:
        if not self._closing:
            log.warning("nats_disconnected")

    async def _on_reconnected(self) -> None:
        log.info("nats_reconnected")
        with contextlib.suppress(Exception):
            await self.ensure_stream()

    def status(self) -> dict[str, Any]:
        return {"connected": self.connected, "url": self.settings.nats_url}
