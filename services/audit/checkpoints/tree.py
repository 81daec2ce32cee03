"""The Merkle tree over the operation log (R-AU-2): leaf ``i`` is entry ``seq = i + 1``, its data
the 32 bytes of the entry's chain hash, so leaf hash = SHA-256(0x00 || bytes.fromhex(hash)).

Every complete subtree of two leaves or more is stored (``merkle_node``) as the entries are
appended, in the same transaction: the transaction reads the tree's right edge once (at most
log n rows, like the chain's head) and each entry adds on average one node. A root or a proof
for any size is then a fold of at most log n stored subtrees per element: O(log n) rows read in
one query, never a pass over the log.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.audit.checkpoints.models import MerkleNode
from services.audit.log.models import AuditEntry
from shared.db import per_transaction
from shared.problems import Conflict
from shared.transparency import (
    EMPTY_ROOT,
    consistency_ranges,
    fold,
    inclusion_ranges,
    leaf_hash,
    node_hash,
    range_nodes,
)

log = structlog.get_logger(__name__)

FRONTIER_KEY = "audit_merkle_frontier"
"""``session.info`` key (``shared.db.per_transaction``) of the tree's right edge as the
transaction has it (:class:`Frontier`)."""

Node = tuple[int, int]
Edge = list[tuple[int, int, bytes]]


@dataclass
class Frontier:
    """The tree's right edge [(level, position, hash)] once a transaction has read it (else
    None), moved by each of its appends; made anew in the next transaction, so a batch rolled
    back and applied again event by event reads it again (or takes ``_last_edges``')."""

    edge: Edge | None = None


def _frontier(session: AsyncSession) -> Frontier:
    frontier: Frontier = per_transaction(session, FRONTIER_KEY, Frontier)
    return frontier


_last_edges: weakref.WeakKeyDictionary[Any, tuple[tuple[int, str], tuple[tuple[int, int, bytes],
                                                                          ...]]]
_last_edges = weakref.WeakKeyDictionary()
"""By database (the session's bind): the right edge after the last entry this process appended,
keyed by that entry's (seq, hash). The chain's hash covers every entry before it, so an edge
whose key is the log's head is the edge of that log: the next transaction takes it instead of
reading it again (appends from another process, or a rolled-back batch, change the head and the
edge is read as before)."""


class TreeIncomplete(Conflict):
    status, slug, title = 409, "tree-incomplete", "The log's Merkle tree lacks nodes"


def entry_leaf(entry_hash: str) -> bytes:
    """The leaf hash of an entry: SHA-256(0x00 || its 32-byte chain hash)."""
    return leaf_hash(bytes.fromhex(entry_hash))


async def node_hashes(session: AsyncSession, nodes: Iterable[Node]) -> dict[Node, bytes]:
    """The hashes of complete subtrees: leaves from their entries, the rest from merkle_node."""
    wanted = set(nodes)
    leaves = [position + 1 for level, position in wanted if level == 0]
    inner = [(level, position) for level, position in wanted if level > 0]
    found: dict[Node, bytes] = {}
    with session.no_autoflush:
        if leaves:
            rows = await session.execute(select(AuditEntry.seq, AuditEntry.hash)
                                         .where(AuditEntry.seq.in_(leaves)))
            found.update({(0, seq - 1): entry_leaf(h) for seq, h in rows})
        if inner:
            stored = await session.execute(select(MerkleNode.level, MerkleNode.position,
                                                MerkleNode.hash).where(or_(*(
                and_(MerkleNode.level == level, MerkleNode.position == position)
                for level, position in inner))))
            found.update({(level, position): bytes(h) for level, position, h in stored})
    missing = wanted - found.keys()
    if missing:
        raise TreeIncomplete(f"the log's tree lacks {len(missing)} of its nodes, e.g. (level, "
                             f"position) {sorted(missing)[0]}: run the verification")
    return found


async def range_hashes(session: AsyncSession, ranges: Sequence[tuple[int, int]]) -> list[bytes]:
    """The tree hash of each leaf range, from one read of its complete subtrees."""
    parts = [range_nodes(start, end) for start, end in ranges]
    hashes = await node_hashes(session, (node for nodes in parts for node in nodes))
    return [fold([hashes[node] for node in nodes]) for nodes in parts]


async def tree_root(session: AsyncSession, size: int) -> bytes:
    """The root of the tree of the first ``size`` entries (MTH), from at most log n nodes."""
    if size == 0:
        return EMPTY_ROOT
    return (await range_hashes(session, [(0, size)]))[0]


async def inclusion_path(session: AsyncSession, index: int, size: int) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of ``size`` leaves."""
    return await range_hashes(session, inclusion_ranges(index, size))


async def consistency_path(session: AsyncSession, old_size: int, new_size: int) -> list[bytes]:
    """The proof that the tree of ``old_size`` is the start of the tree of ``new_size``."""
    return await range_hashes(session, consistency_ranges(old_size, new_size))


async def repair(session: AsyncSession, size: int, *, batch_size: int = 5000) -> int:
    """Store the subtrees the first ``size`` entries lack beyond those stored on each level
    (entries appended by a process that kept no tree, e.g. an older replica during an
    upgrade): one pass over the entries' hashes; returns how many were written."""
    stored = dict((await session.execute(select(MerkleNode.level, func.max(MerkleNode.position))
                                         .group_by(MerkleNode.level))).all())
    frontier: list[tuple[int, bytes]] = []
    written, after = 0, 0
    while after < size:
        rows = (await session.execute(
            select(AuditEntry.seq, AuditEntry.hash)
            .where(AuditEntry.seq > after, AuditEntry.seq <= size)
            .order_by(AuditEntry.seq).limit(batch_size))).all()
        if not rows:
            break
        missing = []
        for seq, entry_hash in rows:
            level, position, value = 0, seq - 1, entry_leaf(entry_hash)
            while frontier and frontier[-1][0] == level:
                value = node_hash(frontier.pop()[1], value)
                level, position = level + 1, position >> 1
                if position > stored.get(level, -1):
                    missing.append(MerkleNode(level=level, position=position, hash=value))
            frontier.append((level, value))
        session.add_all(missing)
        await session.flush()
        written, after = written + len(missing), rows[-1][0]
    return written


async def load_frontier(session: AsyncSession, head: tuple[int, str] | None) -> None:
    """Read the tree's right edge once per transaction, before its first append (or take the
    one this process left at this very head); a tree the log has outgrown (entries appended
    without it) is completed first (:func:`repair`). Call it in the transaction begun (the
    head read): what it keeps is that transaction's."""
    frontier = _frontier(session)
    if frontier.edge is not None:
        return
    if head is not None:
        last = _last_edges.get(session.get_bind())
        if last is not None and last[0] == head:
            frontier.edge = list(last[1])
            return
    size = head[0] if head else 0
    nodes = range_nodes(0, size) if size else []
    try:
        hashes = await node_hashes(session, nodes)
    except TreeIncomplete:
        log.warning("audit_tree_repaired", written=await repair(session, size))
        hashes = await node_hashes(session, nodes)
    frontier.edge = [(level, position, hashes[(level, position)]) for level, position in nodes]


def extend(session: AsyncSession, seq: int, entry_hash: str) -> list[dict[str, Any]]:
    """Add entry ``seq`` as the next leaf; returns each subtree it completes as a
    ``merkle_node`` row, for the caller to write in the same transaction as the entry (a
    consumer's batch writes them all in one statement, not as an ORM object each)."""
    frontier = _frontier(session).edge
    if frontier is None:
        raise RuntimeError("the tree's edge is not loaded in this transaction (load_frontier)")
    level, position, value = 0, seq - 1, entry_leaf(entry_hash)
    expected = sum(1 << lv for lv, _, _ in frontier)
    if position != expected:
        raise RuntimeError(f"leaf {position} appended to a tree of {expected}")
    completed = []
    while frontier and frontier[-1][0] == level:
        _, left_position, left = frontier.pop()
        level, position, value = level + 1, left_position >> 1, node_hash(left, value)
        completed.append({"level": level, "position": position, "hash": value})
    frontier.append((level, position, value))
    _last_edges[session.get_bind()] = ((seq, entry_hash), tuple(frontier))
    return completed
