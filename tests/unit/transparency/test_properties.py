"""R-AU-2: every inclusion and consistency proof of trees of random sizes verifies, a flipped bit
anywhere fails, and proofs built from stored complete subtrees are the proofs of the tree."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.transparency import (
    ProofError,
    consistency_proof,
    consistency_ranges,
    fold,
    inclusion_proof,
    inclusion_ranges,
    leaf_hash,
    range_nodes,
    root_of,
    verify_consistency,
    verify_inclusion,
)


def leaves(n: int) -> list[bytes]:
    return [leaf_hash(hashlib.sha256(str(i).encode()).digest()) for i in range(n)]


def flip(value: bytes, bit: int) -> bytes:
    bit %= len(value) * 8
    return value[:bit // 8] + bytes([value[bit // 8] ^ (1 << bit % 8)]) + value[bit // 8 + 1:]


@st.composite
def tree_and_leaf(draw: st.DrawFn) -> tuple[int, int]:
    size = draw(st.integers(1, 300))
    return size, draw(st.integers(0, size - 1))


@st.composite
def two_sizes(draw: st.DrawFn) -> tuple[int, int]:
    new = draw(st.integers(1, 300))
    return draw(st.integers(1, new)), new


@settings(max_examples=200, deadline=None)
@given(tree_and_leaf(), st.integers(0, 10_000))
def test_r_au_2_every_inclusion_proof_verifies_and_a_flipped_bit_fails(
        case: tuple[int, int], bit: int) -> None:
    """R-AU-2: for any tree and leaf the audit path verifies; one bit flipped in the leaf, the
    root or any node of the path, and it does not."""
    size, index = case
    hashes = leaves(size)
    root, proof = root_of(hashes), inclusion_proof(index, hashes)
    verify_inclusion(hashes[index], index, size, proof, root)
    with pytest.raises(ProofError):
        verify_inclusion(flip(hashes[index], bit), index, size, proof, root)
    with pytest.raises(ProofError):
        verify_inclusion(hashes[index], index, size, proof, flip(root, bit))
    for i in range(len(proof)):
        bad = [*proof[:i], flip(proof[i], bit), *proof[i + 1:]]
        with pytest.raises(ProofError):
            verify_inclusion(hashes[index], index, size, bad, root)
    if size > 1:
        other = (index + 1) % size
        with pytest.raises(ProofError):
            verify_inclusion(hashes[other], index, size, proof, root)


@settings(max_examples=200, deadline=None)
@given(two_sizes(), st.integers(0, 10_000))
def test_r_au_2_every_consistency_proof_verifies_and_a_flipped_bit_fails(
        sizes: tuple[int, int], bit: int) -> None:
    """R-AU-2: between any two sizes the proof verifies; a bit flipped in either root or in any
    node of the proof, and it does not; an old leaf rewritten (all hashes recomputed) cannot be
    proved consistent with the old root."""
    old, new = sizes
    hashes = leaves(new)
    old_root, new_root = root_of(hashes[:old]), root_of(hashes)
    proof = consistency_proof(old, hashes)
    verify_consistency(old, new, old_root, new_root, proof)
    if old == new:
        return
    with pytest.raises(ProofError):
        verify_consistency(old, new, flip(old_root, bit), new_root, proof)
    with pytest.raises(ProofError):
        verify_consistency(old, new, old_root, flip(new_root, bit), proof)
    for i in range(len(proof)):
        bad = [*proof[:i], flip(proof[i], bit), *proof[i + 1:]]
        with pytest.raises(ProofError):
            verify_consistency(old, new, old_root, new_root, bad)
    rewritten = list(hashes)
    rewritten[bit % old] = flip(rewritten[bit % old], bit)
    with pytest.raises(ProofError):
        verify_consistency(old, new, old_root, root_of(rewritten),
                           consistency_proof(old, rewritten))


@settings(max_examples=200, deadline=None)
@given(two_sizes())
def test_r_au_2_proof_ranges_are_folds_of_complete_subtrees(sizes: tuple[int, int]) -> None:
    """R-AU-2: each element of a proof is the fold of at most log n complete subtrees (what the
    service stores), so a proof costs O(log n) reads."""
    old, new = sizes
    hashes = leaves(new)

    def subtree(level: int, index: int) -> bytes:
        return root_of(hashes[index << level:(index + 1) << level])

    for start, end in [*inclusion_ranges(old - 1, new), *consistency_ranges(old, new),
                       (0, new), (0, old)]:
        nodes = range_nodes(start, end)
        assert len(nodes) <= new.bit_length()
        assert fold([subtree(*n) for n in nodes]) == root_of(hashes[start:end])
