"""R-OV-1: the spot-check sample — at least half of each township's decisions (ceil), drawn by
the smallest SHA-256(seed:case id), the same from the same seed whatever the row order."""

from __future__ import annotations

import hashlib
import random
from datetime import date, timedelta

import pytest

from services.complaints.spot_checks.sampling import (
    Decision,
    draw,
    draw_key,
    population_digest,
    sample_size,
)

A, B = "230722100", "230722101"


def decisions(township: str, n: int) -> list[Decision]:
    return [Decision(f"{township}-case-{i:03}", township, date(2026, 11, 1) + timedelta(i % 30))
            for i in range(n)]


@pytest.mark.parametrize(("n", "share", "k"), [
    (0, 50, 0), (1, 50, 1), (2, 50, 1), (3, 50, 2), (7, 50, 4), (10, 50, 5), (10, 51, 6),
    (3, 100, 3), (99, 75, 75)])
def test_each_township_gives_at_least_half_rounded_up_R_OV_1(n: int, share: int, k: int) -> None:
    assert sample_size(n, share) == k
    assert sample_size(n, share) * 100 >= n * 50


@pytest.mark.parametrize("share", [0, 49, 101])
def test_a_share_under_half_is_refused_R_OV_1(share: int) -> None:
    with pytest.raises(ValueError, match="R-OV-1"):
        sample_size(10, share)


def test_the_sample_per_township_is_reproducible_from_the_seed_R_OV_1() -> None:
    population = decisions(A, 7) + decisions(B, 3)
    first = draw(population, seed="0123456789abcdef")
    shuffled = population[:]
    random.Random(5).shuffle(shuffled)
    assert draw(shuffled, seed="0123456789abcdef") == first  # the rows' order does not matter
    assert [(s.township, s.population, len(s.sample)) for s in first] == [(A, 7, 4), (B, 3, 2)]
    assert {c for s in first for c in s.sample} <= {d.case_id for d in population}
    # anyone can check it by hand: the 4 smallest keys of township A
    keys = sorted((hashlib.sha256(f"0123456789abcdef:{d.case_id}".encode()).hexdigest(),
                   d.case_id) for d in decisions(A, 7))
    assert first[0].sample == tuple(c for _, c in keys[:4])
    assert draw_key("s", "c") == hashlib.sha256(b"s:c").hexdigest()


def test_another_seed_draws_another_sample() -> None:
    population = decisions(A, 40)
    one, two = draw(population, seed="seed-one")[0], draw(population, seed="seed-two")[0]
    assert one.sample != two.sample


def test_a_late_decision_changes_the_digest_not_the_others_places() -> None:
    population = decisions(A, 9)
    late = Decision("zz-late", A, date(2026, 11, 30))
    assert population_digest(population) == population_digest(list(reversed(population)))
    assert population_digest(population + [late]) != population_digest(population)
    before, after = draw(population, seed="s" * 16)[0], draw(population + [late],
                                                              seed="s" * 16)[0]
    assert len(after.sample) == 5 and len(before.sample) == 5
    assert set(after.sample) - {late.case_id} <= set(before.sample)


def test_a_draw_needs_a_seed() -> None:
    with pytest.raises(ValueError):
        draw(decisions(A, 2), seed="")
