"""RFC 6962 Merkle tree hashing, audit paths and consistency proofs (R-AU-2, 默克尔树).

Pure: the standard library only. A tree is a sequence of leaf hashes; a proof is a list of
32-byte node hashes. The proofs are given both from a list of leaf hashes (the reference) and as
the leaf ranges whose tree hashes they hold (:func:`inclusion_ranges`,
:func:`consistency_ranges`), so a store of complete subtrees (:func:`range_nodes`) can answer
them with O(log n) reads. Verification follows RFC 9162 §2.1.3.2 and §2.1.4.2.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
"""MTH({}): the hash of the empty string."""


class ProofError(ValueError):
    """A proof that does not hold, or that is malformed."""


def leaf_hash(data: bytes) -> bytes:
    """SHA-256(0x00 || data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    """The largest power of two smaller than ``n`` (n >= 2)."""
    if n < 2:
        raise ValueError("a split needs two leaves or more")
    return 1 << ((n - 1).bit_length() - 1)


def root_of(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH of the leaves given by their hashes (RFC 6962 §2.1)."""
    n = len(leaf_hashes)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaf_hashes[0]
    k = split_point(n)
    return node_hash(root_of(leaf_hashes[:k]), root_of(leaf_hashes[k:]))


def root_of_data(leaves: Sequence[bytes]) -> bytes:
    """MTH of the leaves' data."""
    return root_of([leaf_hash(d) for d in leaves])


Range = tuple[int, int]
"""Leaves ``[start, end)`` whose tree hash is one element of a proof."""


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """The ranges whose hashes form PATH(index, D[0:size]), leaf first (RFC 6962 §2.1.1)."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size}")
    ranges: list[Range] = []
    start, n, m = 0, size, index
    while n > 1:
        k = split_point(n)
        if m < k:
            ranges.append((start + k, start + n))
            n = k
        else:
            ranges.append((start, start + k))
            start, n, m = start + k, n - k, m - k
    return ranges[::-1]


def consistency_ranges(old_size: int, new_size: int) -> list[Range]:
    """The ranges whose hashes form PROOF(old_size, D[0:new_size]) (RFC 6962 §2.1.2)."""
    if not 0 <= old_size <= new_size:
        raise ValueError(f"no consistency proof from {old_size} to {new_size}")
    if old_size in (0, new_size):
        return []
    ranges: list[Range] = []
    start, n, m, complete = 0, new_size, old_size, True
    while m != n:
        k = split_point(n)
        if m <= k:
            ranges.append((start + k, start + n))
            n = k
        else:
            ranges.append((start, start + k))
            start, n, m, complete = start + k, n - k, m - k, False
    if not complete:
        ranges.append((start, start + n))
    return ranges[::-1]


def range_nodes(start: int, end: int) -> list[tuple[int, int]]:
    """The complete subtrees ``(level, index)`` that make up ``[start, end)``, largest first.

    Leaf ``i`` is ``(0, i)``; ``(level, index)`` covers leaves ``[index·2^level,
    (index+1)·2^level)``. A range of a proof starts on a multiple of a power of two at least its
    length, so it is the subtrees of its length's binary digits, in order; its hash is
    :func:`fold` of their hashes.
    """
    if not 0 <= start < end:
        raise ValueError(f"empty range [{start}, {end})")
    nodes = []
    at = start
    for level in range((end - start).bit_length() - 1, -1, -1):
        if (end - start) >> level & 1:
            if at % (1 << level):
                raise ValueError(f"[{start}, {end}) is not a range of a proof")
            nodes.append((level, at >> level))
            at += 1 << level
    return nodes


def fold(hashes: Sequence[bytes]) -> bytes:
    """The tree hash of consecutive complete subtrees given largest first (right to left)."""
    if not hashes:
        raise ValueError("nothing to fold")
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def inclusion_proof(index: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of ``leaf_hashes``."""
    return [root_of(leaf_hashes[a:b]) for a, b in inclusion_ranges(index, len(leaf_hashes))]


def consistency_proof(old_size: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """The proof that the first ``old_size`` leaves are the start of ``leaf_hashes``."""
    return [root_of(leaf_hashes[a:b])
            for a, b in consistency_ranges(old_size, len(leaf_hashes))]


def _check_hashes(*hashes: bytes) -> None:
    for value in hashes:
        if not isinstance(value, bytes | bytearray) or len(value) != HASH_SIZE:
            raise ProofError(f"a hash is {HASH_SIZE} bytes")


def root_from_inclusion(leaf: bytes, index: int, tree_size: int,
                        proof: Sequence[bytes]) -> bytes:
    """The root that ``proof`` gives for ``leaf`` at ``index`` (RFC 9162 §2.1.3.2)."""
    _check_hashes(leaf, *proof)
    if not 0 <= index < tree_size:
        raise ProofError(f"leaf {index} is not in a tree of {tree_size}")
    fn, sn, result = index, tree_size - 1, bytes(leaf)
    for p in proof:
        if sn == 0:
            raise ProofError("the proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            result = node_hash(p, result)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            result = node_hash(result, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("the proof is shorter than the tree is deep")
    return result


def verify_inclusion(leaf_hash: bytes, index: int, tree_size: int, proof: Sequence[bytes],
                     root: bytes) -> None:
    """Raise :class:`ProofError` unless ``proof`` puts ``leaf_hash`` at ``index`` of the tree
    of ``tree_size`` leaves whose root is ``root``."""
    _check_hashes(root)
    if not hmac.compare_digest(root_from_inclusion(leaf_hash, index, tree_size, proof), root):
        raise ProofError("the inclusion proof gives another root")


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes,
                       proof: Sequence[bytes]) -> None:
    """Raise :class:`ProofError` unless ``proof`` shows the tree of ``old_size`` leaves with
    ``old_root`` is the start of the tree of ``new_size`` with ``new_root`` (RFC 9162
    §2.1.4.2): nothing of the old tree was changed or removed."""
    _check_hashes(old_root, new_root, *proof)
    if not 0 <= old_size <= new_size:
        raise ProofError(f"a tree does not shrink from {old_size} to {new_size}")
    if old_size == new_size:
        if proof:
            raise ProofError("the trees are the same size: the proof is empty")
        if not hmac.compare_digest(old_root, new_root):
            raise ProofError("two trees of the same size with different roots")
        return
    if old_size == 0:
        if proof:
            raise ProofError("from the empty tree the proof is empty")
        return
    if not proof:
        raise ProofError("the proof is empty")
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is a node of the new tree
        path.insert(0, bytes(old_root))
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("the proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("the proof is shorter than the tree is deep")
    if not hmac.compare_digest(fr, old_root):
        raise ProofError("the proof does not give the old root")
    if not hmac.compare_digest(sr, new_root):
        raise ProofError("the proof does not give the new root")
