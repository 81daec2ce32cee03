"""Signed checkpoints of the log and the proofs against them (R-AU-2, R-AU-3).

A checkpoint is the Merkle tree's size and root at a moment, signed with the log's Ed25519 key
(``shared.transparency``); it is made on a schedule and on demand, recorded (append-only), sent
out (the operator's file, the witness) by the courier, and emitted as ``checkpoint_signed`` so
the log holds it too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.audit.checkpoints import tree
from services.audit.checkpoints.keys import KeyFiles, LogKeys, RetiredKey, log_origin
from services.audit.checkpoints.models import Checkpoint, CheckpointDelivery, DeliveryState
from services.audit.log.models import AuditEntry
from services.audit.log.service import visible_to
from shared.auth import User
from shared.clock import now_of
from shared.contracts.audit import CheckpointSigned
from shared.inputs import Keyset, Window
from shared.outbox import emit
from shared.problems import Conflict, NotFound
from shared.settings import Settings
from shared.transparency import Checkpoint as SignedCheckpoint
from shared.transparency import key_id, sign_checkpoint

NOTARY_KEY = "audit_notary"
"""Where the sessions of the audit service carry the :class:`Notary`."""

CHECKPOINTS = Keyset("audit-checkpoints", Checkpoint.id.desc())
"""The order of the list of checkpoints and its cursors: newest first."""


@dataclass(frozen=True)
class Notary:
    """What signs checkpoints and where they go: the key, the log's name, the file, the
    witness."""

    origin: str
    key_files: KeyFiles
    """The key and the retired ones, read again when a rotation changes them."""
    checkpoint_file: Path
    witness_url: str | None

    @classmethod
    def from_settings(cls, settings: Settings) -> Notary:
        return cls(origin=log_origin(settings), key_files=KeyFiles(settings),
                   checkpoint_file=settings.audit_checkpoint_path,
                   witness_url=settings.audit_witness_url or None)

    @property
    def key(self) -> Ed25519PrivateKey:
        """The key checkpoints are signed with now."""
        return self.key_files.signing_key()

    @property
    def retired(self) -> tuple[RetiredKey, ...]:
        """The keys the log signed with before rotations."""
        return self.key_files.retired()

    @property
    def key_id(self) -> str:
        return key_id(self.origin, self.key.public_key()).hex()

    @property
    def keys(self) -> LogKeys:
        """What the log's checkpoints are verified with: this key and the retired ones."""
        return LogKeys(self.origin, self.key.public_key(), self.retired)


def notary_of(session: AsyncSession) -> Notary:
    notary = session.info.get(NOTARY_KEY)
    if not isinstance(notary, Notary):
        raise RuntimeError("the audit service's notary is not set up (CheckpointCourier)")
    return notary


async def log_size(session: AsyncSession) -> int:
    """Entries in the log (its last seq): the size of the tree a checkpoint made now covers."""
    return int(await session.scalar(select(func.max(AuditEntry.seq))) or 0)


async def tree_root(session: AsyncSession, size: int) -> bytes:
    """The RFC 6962 root of the tree of entries 1 … ``size``, from the stored subtrees."""
    if not 0 <= size <= await log_size(session):
        raise NotFound(f"the log has no tree of {size} entries")
    return await tree.tree_root(session, size)


async def latest_checkpoint(session: AsyncSession) -> Checkpoint | None:
    """The newest signed checkpoint, if any."""
    return await session.scalar(select(Checkpoint).order_by(Checkpoint.id.desc()).limit(1))


async def make_checkpoint(session: AsyncSession, *, made_by: str) -> Checkpoint:
    """Sign the tree as it stands (R-AU-2), record it, queue it for the file and the witness,
    and emit ``checkpoint_signed``."""
    notary = notary_of(session)
    size = await log_size(session)
    root = await tree.tree_root(session, size)
    moment = now_of(session).replace(microsecond=0)
    key = notary.key  # once: a rotation may replace the file meanwhile
    signer = key_id(notary.origin, key.public_key()).hex()
    note = sign_checkpoint(SignedCheckpoint(notary.origin, size, root, moment), key)
    checkpoint = Checkpoint(origin=notary.origin, tree_size=size, root_hash=root.hex(),
                            timestamp=moment, key_id=signer, note=note, made_by=made_by)
    session.add(checkpoint)
    await session.flush()
    targets = [("file", str(notary.checkpoint_file))]
    if notary.witness_url:
        targets.append(("witness", notary.witness_url))
    session.add_all(CheckpointDelivery(checkpoint_id=checkpoint.id, target=target,
                                       destination=destination, state=DeliveryState.pending,
                                       attempts=0, next_attempt_at=moment)
                    for target, destination in targets)
    await emit(session, CheckpointSigned(
        checkpoint_id=checkpoint.id, origin=notary.origin, tree_size=size, root_hash=root.hex(),
        timestamp=moment, key_id=signer, note=note, made_by=made_by,
    ), subject=f"checkpoint/{checkpoint.id}")
    session.info["audit_checkpoint_made"] = True
    return checkpoint


async def checkpoint_job(session: AsyncSession) -> str:
    """The scheduled checkpoint (R-AU-2): one every interval, whether or not the log grew."""
    checkpoint = await make_checkpoint(session, made_by="system:audit")
    return f"checkpoint {checkpoint.id}: {checkpoint.tree_size} entries"


async def list_checkpoints(session: AsyncSession, *, window: Window | None = None
                           ) -> Sequence[Checkpoint]:
    """Signed checkpoints, newest first (:data:`CHECKPOINTS`)."""
    query = (window or Window(CHECKPOINTS, limit=100)).apply(select(Checkpoint))
    return (await session.scalars(query)).all()


async def get_checkpoint(session: AsyncSession, checkpoint_id: int) -> Checkpoint:
    checkpoint = await session.get(Checkpoint, checkpoint_id)
    if checkpoint is None:
        raise NotFound(f"no checkpoint {checkpoint_id}")
    return checkpoint


async def checkpoint_of_size(session: AsyncSession, tree_size: int | None) -> Checkpoint:
    """The newest checkpoint of ``tree_size`` entries, or the newest of all."""
    query = select(Checkpoint).order_by(Checkpoint.id.desc()).limit(1)
    if tree_size is not None:
        query = query.where(Checkpoint.tree_size == tree_size)
    checkpoint = await session.scalar(query)
    if checkpoint is None:
        raise NotFound("no checkpoint" + (f" of {tree_size} entries" if tree_size else "") +
                       ": make one (POST /api/v1/audit/checkpoints)")
    return checkpoint


async def inclusion_proof(session: AsyncSession, *, user: User, seq: int,
                          tree_size: int | None) -> tuple[AuditEntry, Checkpoint, list[bytes]]:
    """The audit path of entry ``seq`` against a checkpoint (R-AU-2): the entry must be one the
    user may read (else 404) and inside the checkpoint's tree (else 409)."""
    entry = await session.scalar(select(AuditEntry).where(AuditEntry.seq == seq,
                                                          visible_to(user)))
    if entry is None:
        raise NotFound(f"no log entry {seq} you may read")
    checkpoint = await checkpoint_of_size(session, tree_size)
    if seq > checkpoint.tree_size:
        raise Conflict(f"entry {seq} came after checkpoint {checkpoint.id} "
                       f"({checkpoint.tree_size} entries): ask against a later one",
                       field="tree_size")
    return entry, checkpoint, await tree.inclusion_path(session, seq - 1, checkpoint.tree_size)


async def consistency_proof(session: AsyncSession, *, first: int, second: int
                            ) -> tuple[Checkpoint, Checkpoint, list[bytes]]:
    """The proof that checkpoint ``first``'s tree is the start of checkpoint ``second``'s."""
    old, new = await get_checkpoint(session, first), await get_checkpoint(session, second)
    if old.tree_size > new.tree_size:
        raise Conflict(f"checkpoint {first} ({old.tree_size} entries) is larger than "
                       f"checkpoint {second} ({new.tree_size}): give the older one first",
                       field="from")
    return old, new, await tree.consistency_path(session, old.tree_size, new.tree_size)


def retry_wait(attempts: int, longest_s: float) -> timedelta:
    """1 s, 2 s, 4 s … up to ``longest_s`` between two tries of a delivery."""
    return timedelta(seconds=min(2.0 ** min(attempts - 1, 20), longest_s))
