"""The log against the checkpoints held outside it (R-AU-2): the operator's checkpoint file.

Someone with the rights to drop triggers can rewrite an entry and recompute every hash after it,
or cut the tail off: the chain then holds, and the Merkle nodes in the database can be
recomputed too. A signed checkpoint kept outside the database cannot: each one fixes the root of
the first ``tree_size`` entries. Here the roots are recomputed from the entries themselves
(``checkpoints.verify.roots_at``: never from the stored nodes) and compared with every
checkpoint of the file whose signature holds under the log's keys (the current one, and one
retired by a rotation for what it signed before).

A disagreement is located between two checkpoints: entries up to the last checkpoint that
agrees are as they were signed; the first difference lies after it, up to the first checkpoint
that disagrees. A log shorter than a checkpoint lost its tail. Entries after the newest
checkpoint are vouched for by nothing held outside yet.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.audit.checkpoints.keys import LogKeys
from services.audit.checkpoints.verify import roots_at
from shared.transparency import Checkpoint, CheckpointError, split_notes, verify_checkpoint


class Disagreement(BaseModel):
    """The first checkpoint held outside that the log no longer matches."""

    tree_size: int
    signed_at: datetime
    root_hash: str = Field(description="the root the checkpoint signed (hex)")
    log_root: str | None = Field(description="the root of the log's first tree_size entries "
                                 "now (none if the log is shorter)")
    first_entry: int = Field(description="the first difference lies in entries "
                             "first_entry … last_entry")
    last_entry: int
    detail: str


class OutsideReport(BaseModel):
    """The log against the signed checkpoints of the operator's file."""

    checked: bool = Field(description="false if there is no checkpoint file to compare with")
    ok: bool
    file: str
    checkpoints: int = Field(description="checkpoints in the file whose signature holds")
    unsigned: int = Field(description="notes in the file whose signature does not hold")
    agrees_through: int = Field(description="entries 1 … this match every checkpoint up to it")
    first_disagreement: Disagreement | None
    newest_size: int | None = Field(description="the newest checkpoint's tree size: entries "
                                    "after it are vouched for by nothing outside yet")
    error: str | None = None




async def compare_with_checkpoints(
    sessions: async_sessionmaker[AsyncSession], path: Path,
    keys: LogKeys | Ed25519PublicKey,
) -> OutsideReport:
    """Recompute the roots of the log at each checkpoint's size and compare (R-AU-2); a
    checkpoint counts as signed under the log's keys (:class:`LogKeys`: the current one, and
    a retired one for what it signed before its retirement) or under one public key."""
    base = {"file": str(path)}
    if not path.exists():
        return OutsideReport(checked=False, ok=True, **base, checkpoints=0, unsigned=0,
                             agrees_through=0, first_disagreement=None, newest_size=None,
                             error="no checkpoint file yet")
    signed: list[Checkpoint] = []
    unsigned = 0
    for note in split_notes(path.read_text(encoding="utf-8")):
        try:
            signed.append(keys.check(note) if isinstance(keys, LogKeys)
                          else verify_checkpoint(note, keys))
        except CheckpointError:
            unsigned += 1
    signed.sort(key=lambda c: (c.tree_size, c.timestamp))
    roots, size = await roots_at(sessions, (c.tree_size for c in signed))
    agrees_through = 0
    first: Disagreement | None = None
    for checkpoint in signed:
        if checkpoint.tree_size == 0:
            continue
        root = roots.get(checkpoint.tree_size)
        if root == checkpoint.root_hash:
            agrees_through = checkpoint.tree_size
            continue
        moment = f"{checkpoint.timestamp:%Y-%m-%dT%H:%M:%SZ}"
        if root is None:
            detail = (f"the log holds {size} entries, the checkpoint signed at {moment} "
                      f"{checkpoint.tree_size}: entries {size + 1} … {checkpoint.tree_size} "
                      "were removed")
        else:
            detail = (f"the log's first {checkpoint.tree_size} entries do not give the root "
                      f"signed at {moment}: an entry among {agrees_through + 1} … "
                      f"{checkpoint.tree_size} was rewritten, removed or inserted")
        first = Disagreement(
            tree_size=checkpoint.tree_size, signed_at=checkpoint.timestamp,
            root_hash=checkpoint.root_hash.hex(), log_root=root.hex() if root else None,
            first_entry=max(agrees_through, size if root is None else 0) + 1,
            last_entry=checkpoint.tree_size, detail=detail)
        break
    return OutsideReport(
        checked=True, ok=first is None and unsigned == 0, **base, checkpoints=len(signed),
        unsigned=unsigned, agrees_through=agrees_through, first_disagreement=first,
        newest_size=signed[-1].tree_size if signed else None)
