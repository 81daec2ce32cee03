"""The checkpoints checked against the log (R-AU-2, R-AU-3): every checkpoint the service holds,
and any kept outside (the operator's file, a witness), must be signed by the log's key (or by a
key retired since, before its retirement) and have the root of the entries now in the log,
recomputed from the entries' hashes in one pass (not from the stored subtrees). A rewritten,
cut-off or reordered log, its hashes recomputed, no longer gives the root signed before: the
first such checkpoint is named.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.audit.checkpoints.keys import LogKeys
from services.audit.checkpoints.models import Checkpoint
from services.audit.checkpoints.tree import entry_leaf
from services.audit.log.models import AuditEntry
from shared.transparency import Checkpoint as SignedCheckpoint
from shared.transparency import (
    CheckpointError,
    fold,
    load_public_key,
    node_hash,
    verify_checkpoint,
)

BATCH_SIZE = 2000


@dataclass(frozen=True)
class CheckpointFailure:
    """A checkpoint the log no longer matches, and why."""

    source: str
    """``stored:<id>`` or ``outside:<n>`` (the n-th note given)."""
    tree_size: int | None
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "tree_size": self.tree_size, "reason": self.reason}


@dataclass
class CheckpointReport:
    """How many checkpoints were checked, the log's size, and the first that fails."""

    checked: int = 0
    log_size: int = 0
    failures: list[CheckpointFailure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def first_bad(self) -> CheckpointFailure | None:
        return min(self.failures, key=lambda f: f.tree_size or 0) if self.failures else None


async def roots_at(sessions: async_sessionmaker[AsyncSession], sizes: Iterable[int], *,
                   batch_size: int = BATCH_SIZE) -> tuple[dict[int, bytes], int]:
    """The RFC 6962 root of the log's first n entries for each n of ``sizes`` (those the log
    reaches), from the entries' hashes in seq order, and how many entries there are."""
    wanted = sorted({s for s in sizes if s > 0})
    roots: dict[int, bytes] = {}
    frontier: list[tuple[int, bytes]] = []
    count, after = 0, 0
    last = wanted[-1] if wanted else 0
    while count < last:
        async with sessions() as session:
            rows = (await session.execute(
                select(AuditEntry.seq, AuditEntry.hash).where(AuditEntry.seq > after)
                .order_by(AuditEntry.seq).limit(batch_size))).all()
        if not rows:
            break
        for _, entry_hash in rows:
            level, value = 0, entry_leaf(entry_hash)
            while frontier and frontier[-1][0] == level:
                value, level = node_hash(frontier.pop()[1], value), level + 1
            frontier.append((level, value))
            count += 1
            if count in wanted:
                roots[count] = fold([h for _, h in frontier])
        after = rows[-1][0]
    return roots, count


def _read(note: str, keys: LogKeys | Any, source: str) -> SignedCheckpoint | CheckpointFailure:
    try:
        return keys.check(note) if isinstance(keys, LogKeys) else verify_checkpoint(note, keys)
    except CheckpointError as exc:
        return CheckpointFailure(source, None, f"not a checkpoint signed by the log's key: {exc}")


async def verify_checkpoints(sessions: async_sessionmaker[AsyncSession], keys: LogKeys | Any, *,
                             outside: Iterable[str] = (),
                             batch_size: int = BATCH_SIZE) -> CheckpointReport:
    """Check the stored checkpoints and those kept outside against the log as it is now.

    ``keys``: the log's keys (:class:`LogKeys`: the current one and those retired by
    rotations, each accepted for what it signed before it was retired), or one public key."""
    async with sessions() as session:
        stored = (await session.scalars(select(Checkpoint).order_by(Checkpoint.id))).all()
    key = keys if isinstance(keys, LogKeys) else load_public_key(keys)[1]
    notes = list(outside)
    report = CheckpointReport(checked=len(stored) + len(notes))
    claims: list[tuple[str, SignedCheckpoint]] = []
    for row in stored:
        found = _read(row.note, key, f"stored:{row.id}")
        if isinstance(found, CheckpointFailure):
            report.failures.append(found)
        elif (found.tree_size, found.root_hash.hex()) != (row.tree_size, row.root_hash):
            report.failures.append(CheckpointFailure(
                f"stored:{row.id}", row.tree_size, "its columns are not its signed note"))
        else:
            claims.append((f"stored:{row.id}", found))
    for n, note in enumerate(notes, start=1):
        found = _read(note, key, f"outside:{n}")
        if isinstance(found, CheckpointFailure):
            report.failures.append(found)
        else:
            claims.append((f"outside:{n}", found))
    roots, report.log_size = await roots_at(sessions, (c.tree_size for _, c in claims),
                                            batch_size=batch_size)
    for source, claim in claims:
        if claim.tree_size == 0:
            continue
        root = roots.get(claim.tree_size)
        if root is None:
            report.failures.append(CheckpointFailure(
                source, claim.tree_size, f"the log has {report.log_size} entries, fewer than "
                f"the {claim.tree_size} signed: entries were removed"))
        elif root != claim.root_hash:
            report.failures.append(CheckpointFailure(
                source, claim.tree_size, "the entries now in the log give another root than "
                "the one signed: an entry up to this size was changed, removed or inserted"))
    return report
