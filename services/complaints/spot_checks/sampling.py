"""The spot-check sample (抽查, R-OV-1) as a plain rule, reproducible by anyone from the seed.

- The population is every decision of the county's townships decided in the period (by the
  Asia/Shanghai day of the decision), per township, in a stable order: (decided_on, case_id).
- Each township gives ``ceil(n × share / 100)`` of its ``n`` decisions, share ≥ 50 (R-OV-1: at
  least half, never rounded down; a township with one decision gives that one).
- Which ones: the decisions whose key ``SHA-256(seed ":" case_id)`` (hex) is smallest, ties by
  the stable order. The key depends on nothing but the seed and the case id, so the sample is
  the same on any machine, in any language, whatever order the rows are read in: re-running with
  the stored seed gives the same sample (``reproduce``), and a late decision added to the period
  changes the population digest, never silently the sample of the others.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

MIN_SHARE_PERCENT = 50
"""R-OV-1: each county checks at least 50% of its townships' decisions."""


@dataclass(frozen=True)
class Decision:
    """One decision of the register as the sample sees it."""

    case_id: str
    township: str
    decided_on: date


@dataclass(frozen=True)
class TownshipSample:
    township: str
    population: int
    sample: tuple[str, ...]  # case ids, in the order of their keys


def sample_size(population: int, share_percent: int = MIN_SHARE_PERCENT) -> int:
    """``ceil(population × share / 100)`` in integers; refuses a share under 50% (R-OV-1)."""
    if not MIN_SHARE_PERCENT <= share_percent <= 100:
        raise ValueError(f"share {share_percent}% is outside {MIN_SHARE_PERCENT}–100% (R-OV-1)")
    if population < 0:
        raise ValueError("a population is never negative")
    return -(-population * share_percent // 100)


def draw_key(seed: str, case_id: str) -> str:
    """The decision's place in the draw: SHA-256 of ``seed:case_id``, hex."""
    return hashlib.sha256(f"{seed}:{case_id}".encode()).hexdigest()


def stable_order(decisions: Iterable[Decision]) -> list[Decision]:
    return sorted(decisions, key=lambda d: (d.township, d.decided_on, d.case_id))


def population_digest(decisions: Iterable[Decision]) -> str:
    """SHA-256 over the population in its stable order (township, day, case id per line):
    proves later which decisions the draw was made from."""
    digest = hashlib.sha256()
    for d in stable_order(decisions):
        digest.update(f"{d.township},{d.decided_on.isoformat()},{d.case_id}\n".encode())
    return digest.hexdigest()


def draw(decisions: Sequence[Decision], *, seed: str,
         share_percent: int = MIN_SHARE_PERCENT) -> list[TownshipSample]:
    """R-OV-1: the sample of each township, townships in code order."""
    if not seed:
        raise ValueError("a draw needs a seed")
    by_township: dict[str, list[Decision]] = {}
    for d in stable_order(decisions):
        by_township.setdefault(d.township, []).append(d)
    samples = []
    for township, population in sorted(by_township.items()):
        ranked = sorted(enumerate(population),
                        key=lambda item: (draw_key(seed, item[1].case_id), item[0]))
        size = sample_size(len(population), share_percent)
        samples.append(TownshipSample(township, len(population),
                                      tuple(d.case_id for _, d in ranked[:size])))
    return samples
