"""The courier of the REST transport: posts queued delegation messages to peer counties.

A delivery is posted outside any transaction, with the peer's system token and the delivery's
own Idempotency-Key (so a retry after a lost answer is taken once). A delegation's messages go
in the order they were queued: a later one waits while an earlier one is pending. A timeout, a
refused connection, a 5xx, 429, 401 or 403 (the token may be renewed) is tried again after a
wait that doubles up to ``ASSIST_DELEGATION_RETRY_MAX_S``; another 4xx says the message is wrong
and will not become right: the delivery is ``failed`` with the peer's answer, for an operator.
"""

from __future__ import annotations

from datetime import timedelta

import httpx
import structlog
from sqlalchemy import select

from services.verification.configfile import ConfigError
from services.verification.delegations.models import DelegationDelivery, DeliveryState
from services.verification.delegations.transports import peers
from shared.db import utcnow
from shared.idempotency import HEADER
from shared.workers import PollingWorker

log = structlog.get_logger(__name__)

RETRIED = frozenset({401, 403, 408, 425, 429})
FIRST_WAIT_S = 1.0


class DelegationCourier(PollingWorker):
    name = "delegation_courier"

    async def due(self) -> DelegationDelivery | None:
        """The first pending delivery that is due and has no earlier one of its delegation
        still pending."""
        now = utcnow()
        async with self.kit.sessions() as session:
            pending = (await session.scalars(select(DelegationDelivery).where(
                DelegationDelivery.state == DeliveryState.pending)
                .order_by(DelegationDelivery.id).limit(500))).all()
        waiting: set[str] = set()
        for delivery in pending:
            if delivery.delegation_id in waiting:
                continue
            if delivery.next_attempt_at <= now:
                return delivery
            waiting.add(delivery.delegation_id)
        return None

    async def work_once(self) -> bool:
        delivery = await self.due()
        if delivery is None:
            return False
        outcome, error = await self.post(delivery)
        now = utcnow()
        async with self.kit.unit_of_work() as session:
            row = await session.get(DelegationDelivery, delivery.id)
            if row is None or row.state != DeliveryState.pending:
                return True
            row.attempts += 1
            row.last_error = error
            if outcome == "delivered":
                row.state, row.delivered_at = DeliveryState.delivered, now
            elif outcome == "failed":
                row.state = DeliveryState.failed
            else:
                wait = min(FIRST_WAIT_S * 2 ** min(row.attempts - 1, 20),
                           self.kit.settings.delegation_retry_max_s)
                row.next_attempt_at = now + timedelta(seconds=wait)
        if outcome != "delivered":
            log.warning("delegation_delivery_failed", delivery=delivery.id,
                        peer=delivery.peer_county, outcome=outcome, error=error)
        return True

    async def post(self, delivery: DelegationDelivery) -> tuple[str, str | None]:
        """``delivered``, ``retry`` or ``failed``, and what went wrong."""
        try:
            peer = peers(self.kit.settings).get(delivery.peer_county)
            if peer is None:
                return "retry", f"county {delivery.peer_county} is no longer a configured peer"
            headers = {"Authorization": f"Bearer {peer.bearer()}",
                       HEADER: delivery.idempotency_key}
        except (ConfigError, OSError) as exc:
            return "retry", f"the peer's configuration: {exc}"
        url = peer.url.rstrip("/") + delivery.path
        try:
            async with httpx.AsyncClient(timeout=peer.timeout_s) as client:
                response = await client.post(url, json=delivery.body, headers=headers)
        except httpx.TimeoutException:
            return "retry", f"no answer from {url} within {peer.timeout_s:g} s"
        except httpx.TransportError as exc:
            return "retry", f"cannot reach {url} ({type(exc).__name__})"
        if 200 <= response.status_code < 300:
            return "delivered", None
        detail = f"{url} answered HTTP {response.status_code}: {response.text[:500]}"
        if response.status_code >= 500 or response.status_code in RETRIED:
            return "retry", detail
        return "failed", detail
