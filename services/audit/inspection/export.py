"""The export of the log as JSON Lines with its checkpoint (R-AU-3): entries masked (R-SE-2),
every hashed column kept, each entry's inclusion proof, and a last line carrying the signed
checkpoint that covers them, so a recipient checks them offline with the log's public key
(:func:`services.audit.inspection.offline.verify_export`)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from sqlalchemy import select

from services.audit.checkpoints import tree
from services.audit.checkpoints.models import Checkpoint
from services.audit.checkpoints.service import latest_checkpoint, log_size, make_checkpoint
from services.audit.log import chain
from services.audit.log.models import AuditEntry
from services.audit.log.service import BATCH_SIZE, _in_period, export_line, visible_to
from shared.auth import User
from shared.service import ServiceKit

TRAILER = "checkpoint"
"""The key of the export's last line (no entry line has it)."""


async def covering_checkpoint(kit: ServiceKit, *, made_by: str) -> Checkpoint:
    """The latest signed checkpoint if it covers the whole log, else a new one signed now (on
    demand, as ``POST /api/v1/audit/checkpoints`` would): the export reaches the head."""
    async with kit.unit_of_work() as session:
        checkpoint = await latest_checkpoint(session)
        if checkpoint is None or checkpoint.tree_size < await log_size(session):
            checkpoint = await make_checkpoint(session, made_by=made_by)
    return checkpoint


async def export_with_checkpoint(
    kit: ServiceKit, *, user: User, checkpoint: Checkpoint, since: datetime | None = None,
    until: datetime | None = None, batch_size: int = BATCH_SIZE,
) -> AsyncIterator[bytes]:
    """Entry lines (masked, each with ``inclusion``: its audit path to ``checkpoint``) up to
    the checkpoint's size (:func:`covering_checkpoint`), then the trailer line: the checkpoint's
    signed note, size and root, how many entries, the last seq."""
    through = checkpoint.tree_size
    query = _in_period(select(AuditEntry).where(visible_to(user)), since, until)
    count, last, after = 0, None, 0
    while after < through:
        async with kit.sessions() as session:
            batch = (await session.scalars(
                query.where(AuditEntry.seq > after, AuditEntry.seq <= through)
                .order_by(AuditEntry.seq).limit(batch_size))).all()
            if not batch:
                break
            for entry in batch:
                line = export_line(entry, kit.sealer)
                path = await tree.inclusion_path(session, entry.seq - 1, through)
                record = json.loads(line)
                record["inclusion"] = [node.hex() for node in path]
                line = (chain.canonical_json(record) + "\n").encode("utf-8")
                count, last = count + 1, entry.seq
                yield line
        after = batch[-1].seq
    trailer: dict[str, Any] = {
        TRAILER: {"id": checkpoint.id, "tree_size": checkpoint.tree_size,
                  "root_hash": checkpoint.root_hash, "note": checkpoint.note},
        "entries": count, "last_seq": last, "through": through,
    }
    yield (chain.canonical_json(trailer) + "\n").encode("utf-8")
