"""R-AU-2: the Merkle tree, its audit paths and consistency proofs against RFC 6962's published
vectors (tests/unit/transparency/vectors.py names their source), and every corruption of a good
proof refused, as the vectors' own tests do."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from shared.transparency import (
    EMPTY_ROOT,
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_of,
    root_of_data,
    verify_consistency,
    verify_inclusion,
)

from .vectors import (
    CONSISTENCY,
    EMPTY_LEAF,
    INCLUSION,
    LEAF_L123456,
    LEAVES,
    NODE_N123_N456,
    ROOTS,
    SOME_HASH,
)
from .vectors import EMPTY_ROOT as VECTOR_EMPTY_ROOT

HASHES = [leaf_hash(d) for d in LEAVES]


def test_r_au_2_rfc6962_hashing_vectors() -> None:
    """R-AU-2: the empty tree, an empty leaf, a leaf and a node hash as RFC 6962 says."""
    assert EMPTY_ROOT == VECTOR_EMPTY_ROOT == root_of([])
    assert leaf_hash(b"") == EMPTY_LEAF
    assert leaf_hash(b"L123456") == LEAF_L123456
    assert node_hash(b"N123", b"N456") == NODE_N123_N456
    assert node_hash(HASHES[0], HASHES[1]) != node_hash(HASHES[1], HASHES[0])
    assert leaf_hash(HASHES[0] + HASHES[1]) != node_hash(HASHES[0], HASHES[1])


@pytest.mark.parametrize("size", range(1, 9))
def test_r_au_2_roots_of_the_eight_leaves(size: int) -> None:
    """R-AU-2: MTH of the first n of the eight published leaves is the published root."""
    assert root_of_data(LEAVES[:size]) == ROOTS[size - 1]


@pytest.mark.parametrize(("leaf", "size", "path"), INCLUSION)
def test_r_au_2_inclusion_vectors(leaf: int, size: int, path: list[bytes]) -> None:
    """R-AU-2: our audit path is the published one and verifies against the published root."""
    assert inclusion_proof(leaf - 1, HASHES[:size]) == path
    verify_inclusion(HASHES[leaf - 1], leaf - 1, size, path, ROOTS[size - 1])


@pytest.mark.parametrize(("old", "new", "path"), CONSISTENCY)
def test_r_au_2_consistency_vectors(old: int, new: int, path: list[bytes]) -> None:
    """R-AU-2: our consistency proof is the published one and verifies between the roots."""
    assert consistency_proof(old, HASHES[:new]) == path
    verify_consistency(old, new, ROOTS[old - 1], ROOTS[new - 1], path)


def _flipped(proof: list[bytes], i: int, bit: int) -> list[bytes]:
    changed = list(proof)
    changed[i] = bytes([changed[i][0] ^ bit]) + changed[i][1:]
    return changed


@pytest.mark.parametrize(("leaf", "size", "path"), INCLUSION[1:])
def test_r_au_2_corrupted_inclusion_proofs_fail(leaf: int, size: int,
                                                path: list[bytes]) -> None:
    """R-AU-2: a wrong index, size, leaf or root, garbage before or after, a flipped bit, a
    removed or inserted node: each refused (the probes of the vectors' own test)."""
    index, root, leaf_h = leaf - 1, ROOTS[size - 1], HASHES[leaf - 1]
    probes = [
        (index - 1, size, leaf_h, path, root), (index + 1, size, leaf_h, path, root),
        (index ^ 2, size, leaf_h, path, root), (index, size * 2, leaf_h, path, root),
        (index, size // 2, leaf_h, path, root), (index, size, b"WrongLeaf", path, root),
        (index, size, leaf_h, path, EMPTY_ROOT), (index, size, leaf_h, path, SOME_HASH),
        (index, size, leaf_h, [*path, b""], root), (index, size, leaf_h, [*path, root], root),
        (index, size, leaf_h, [b"", *path], root), (index, size, leaf_h, [root, *path], root),
        *((index, size, leaf_h, _flipped(path, i, 8), root) for i in range(len(path))),
        (index, size, leaf_h, path[:-1], root),
    ]
    if len(path) > 1:
        probes.append((index, size, leaf_h, [path[0], SOME_HASH, *path[1:]], root))
    for probe in probes:
        with pytest.raises(ProofError):
            verify_inclusion(probe[2], probe[0], probe[1], probe[3], probe[4])


@pytest.mark.parametrize(("old", "new", "path"), CONSISTENCY[1:])
def test_r_au_2_corrupted_consistency_proofs_fail(old: int, new: int,
                                                  path: list[bytes]) -> None:
    """R-AU-2: wrong sizes, roots wrong or swapped, an empty, truncated, padded or bit-flipped
    proof: each refused."""
    r1, r2 = ROOTS[old - 1], ROOTS[new - 1]
    wrong = SOME_HASH
    probes = [
        (old - 1, new, r1, r2, path), (old + 1, new, r1, r2, path), (old ^ 2, new, r1, r2, path),
        (old, new * 2, r1, r2, path), (old, new // 2, r1, r2, path),
        (old, new, wrong, r2, path), (old, new, r1, wrong, path), (old, new, r2, r1, path),
        (old, new, r1, r2, []), (old, new, r1, r2, [*path, b""]), (old, new, r1, r2, [*path, r1]),
        (old, new, r1, r2, [*path, r2]), (old, new, r1, r2, [b"", *path]),
        (old, new, r1, r2, [r1, *path]), (old, new, r1, r2, [r2, *path]),
        (old, new, r1, r2, [path[0], *path]), (old, new, r1, r2, path[:-1]),
        *((old, new, r1, r2, _flipped(path, i, 16)) for i in range(len(path))),
    ]
    for probe in probes:
        with pytest.raises(ProofError):
            verify_consistency(*probe)


def test_r_au_2_trivial_consistency() -> None:
    """R-AU-2: from the empty tree anything follows; one size, one root; no time travel."""
    verify_consistency(0, 5, EMPTY_ROOT, ROOTS[4], [])
    verify_consistency(3, 3, ROOTS[2], ROOTS[2], [])
    for probe in ((3, 3, ROOTS[2], ROOTS[3], []), (0, 1, EMPTY_ROOT, ROOTS[0], [EMPTY_ROOT]),
                  (2, 1, ROOTS[1], ROOTS[0], []), (1, 2, ROOTS[0], ROOTS[1], [])):
        with pytest.raises(ProofError):
            verify_consistency(*probe)


def test_r_au_2_the_proofs_import_no_database_web_or_bus() -> None:
    """R-AU-2: shared.transparency is pure, so the verifier needs nothing of the service."""
    code = ("import sys, shared.transparency; print(sorted({m.split('.')[0] for m in sys.modules}"
            " & {'sqlalchemy', 'fastapi', 'starlette', 'pydantic', 'nats', 'httpx', 'structlog',"
            " 'services', 'alembic', 'uvicorn'}), sorted(m for m in sys.modules"
            " if m.startswith('shared.') and not m.startswith('shared.transparency')))")
    root = Path(__file__).resolve().parents[3]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=root)
    assert out.stdout.strip() == "[] []"
