"""The checkpoint courier (R-AU-2): every signed checkpoint leaves the system, appended to the
operator's file and POSTed to the witness when one is set, tried again until accepted.

Its work is in the database (``audit_checkpoint_delivery``), so a crash loses none of it and the
log never waits for it. Deliveries of one target go in order: a later checkpoint waits while an
earlier one is pending. The witness gets a C2SP tlog-witness ``add-checkpoint`` body: ``old
<size>``, the consistency proof from the last checkpoint it accepted (base64 lines), a blank
line and the signed checkpoint; a 409 naming the size the witness holds gets the proof from that
size at once. Any other answer but 2xx (a refusal, a timeout, no witness) is tried again after a
wait that doubles up to ``ASSIST_AUDIT_WITNESS_RETRY_MAX_S``.
"""

from __future__ import annotations

import asyncio
import base64

import httpx
import structlog
from sqlalchemy import select

from services.audit.checkpoints import tree
from services.audit.checkpoints.models import Checkpoint, CheckpointDelivery, DeliveryState
from services.audit.checkpoints.service import NOTARY_KEY, Notary, retry_wait
from shared.service import ServiceKit
from shared.workers import PollingWorker

log = structlog.get_logger(__name__)

WITNESS_BODY = "text/plain; charset=utf-8"


class CheckpointCourier(PollingWorker):
    """A loop of the audit service's own (``ServiceSpec.workers``); it also gives the service's
    sessions the notary (the key, the log's name, where checkpoints go)."""

    name = "checkpoint_courier"

    def __init__(self, kit: ServiceKit) -> None:
        super().__init__(kit)
        self.notary = Notary.from_settings(kit.settings)
        self.notary.key_files.signing_key()  # made (or a given one checked) at start
        info = dict(kit.sessions.kw.get("info") or {})
        kit.sessions.configure(info={**info, NOTARY_KEY: self.notary})

    async def due(self) -> tuple[CheckpointDelivery, Checkpoint] | None:
        """The first pending delivery that is due, with no earlier one of its target pending."""
        now = self.kit.clock.now()
        async with self.kit.sessions() as session:
            pending = (await session.execute(
                select(CheckpointDelivery, Checkpoint)
                .join(Checkpoint, Checkpoint.id == CheckpointDelivery.checkpoint_id)
                .where(CheckpointDelivery.state == DeliveryState.pending)
                .order_by(CheckpointDelivery.id).limit(200))).all()
        waiting: set[str] = set()
        for delivery, checkpoint in pending:
            if delivery.target in waiting:
                continue
            if delivery.next_attempt_at <= now:
                return delivery, checkpoint
            waiting.add(delivery.target)
        return None

    async def work_once(self) -> bool:
        found = await self.due()
        if found is None:
            return False
        delivery, checkpoint = found
        if delivery.target == "file":
            error = await asyncio.to_thread(self.append, delivery.destination, checkpoint.note)
        else:
            error = await self.post(delivery.destination, checkpoint)
        now = self.kit.clock.now()
        async with self.kit.unit_of_work() as session:
            row = await session.get(CheckpointDelivery, delivery.id)
            if row is None or row.state != DeliveryState.pending:
                return True
            row.attempts += 1
            row.last_error = error
            if error is None:
                row.state, row.delivered_at = DeliveryState.delivered, now
            else:
                row.next_attempt_at = now + retry_wait(
                    row.attempts, self.kit.settings.audit_witness_retry_max_s)
        if error is not None:
            log.warning("checkpoint_delivery_failed", checkpoint=checkpoint.id,
                        target=delivery.target, error=error)
        return True

    @staticmethod
    def append(path: str, note: str) -> str | None:
        """Append the signed note to the operator's file (notes are separated by their blank
        line and end in a newline)."""
        try:
            with open(path, "a", encoding="utf-8") as out:
                out.write(note + "\n")
                out.flush()
        except OSError as exc:
            return f"cannot append to {path}: {exc}"
        return None

    async def witness_body(self, checkpoint: Checkpoint, old: int | None = None) -> str:
        """``old <size>``, the consistency proof from ``old`` (default: the last checkpoint the
        witness took), a blank line, the checkpoint (C2SP tlog-witness add-checkpoint)."""
        async with self.kit.sessions() as session:
            if old is None:
                last = await session.scalar(
                    select(Checkpoint).join(CheckpointDelivery,
                                            CheckpointDelivery.checkpoint_id == Checkpoint.id)
                    .where(CheckpointDelivery.target == "witness",
                           CheckpointDelivery.state == DeliveryState.delivered,
                           Checkpoint.id < checkpoint.id)
                    .order_by(Checkpoint.id.desc()).limit(1))
                old = last.tree_size if last is not None else 0
            old = min(old, checkpoint.tree_size)
            proof = await tree.consistency_path(session, old, checkpoint.tree_size)
        lines = [f"old {old}", *(base64.b64encode(p).decode("ascii") for p in proof)]
        return "\n".join(lines) + "\n\n" + checkpoint.note

    async def post(self, url: str, checkpoint: Checkpoint) -> str | None:
        """None when the witness took the checkpoint, else what went wrong. A 409 naming the
        size the witness holds (tlog-witness: it knows another checkpoint than we thought) is
        answered at once with a proof from that size."""
        timeout = self.kit.settings.audit_witness_timeout_s
        old: int | None = None
        for _ in range(2):
            body = await self.witness_body(checkpoint, old)
            try:
                async with httpx.AsyncClient(timeout=timeout) as client:
                    response = await client.post(url, content=body.encode("utf-8"),
                                                 headers={"Content-Type": WITNESS_BODY})
            except httpx.TimeoutException:
                return f"no answer from {url} within {timeout:g} s"
            except httpx.TransportError as exc:
                return f"cannot reach {url} ({type(exc).__name__})"
            if 200 <= response.status_code < 300:
                return None
            held = response.text.strip()
            if (response.status_code != 409 or not held.isdigit() or old is not None
                    or int(held) > checkpoint.tree_size):
                break
            old = int(held)
        return f"{url} answered HTTP {response.status_code}: {response.text[:500]}"
