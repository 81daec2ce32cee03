"""The monitoring's outlier rule (监测预警, R-OV-2) as a plain function: a township's coverage
(recipients / population) and average benefit set against the county's, flagged with the reason.

Thresholds, the documented parameters (docs/architecture.md, "Oversight"):

- ``coverage_low`` 0.5, ``coverage_high`` 1.5: coverage under half or over 1.5 times the
  county's (too few covered may mean eligible households left out; too many, households that
  should not be: both are inspected);
- ``average_low`` 0.8, ``average_high`` 1.2: the average monthly benefit per recipient under 80%
  or over 120% of the county's (standards are county-wide, so the average seldom strays);
- ``min_recipients`` 5: with fewer recipients the average is not judged (one household moves it);
- a township with recipients but no population figure, or with population and no recipient
  while the county has some, is flagged as such.

Ratios are compared exactly (fractions), never in floating point.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction


@dataclass(frozen=True)
class Thresholds:
    coverage_low: Fraction = Fraction(1, 2)
    coverage_high: Fraction = Fraction(3, 2)
    average_low: Fraction = Fraction(4, 5)
    average_high: Fraction = Fraction(6, 5)
    min_recipients: int = 5

    def as_dict(self) -> dict[str, float | int]:
        return {"coverage_low": float(self.coverage_low),
                "coverage_high": float(self.coverage_high),
                "average_low": float(self.average_low),
                "average_high": float(self.average_high),
                "min_recipients": self.min_recipients}


DEFAULT = Thresholds()


@dataclass(frozen=True)
class Figures:
    """A township's (or the county's) figures of one month."""

    population: int | None  # None: no figure loaded
    recipients: int
    amount_fen: int  # the month's benefits, summed

    @property
    def coverage(self) -> Fraction | None:
        if not self.population:
            return None
        return Fraction(self.recipients, self.population)

    @property
    def average_fen(self) -> Fraction | None:
        return Fraction(self.amount_fen, self.recipients) if self.recipients else None


@dataclass(frozen=True)
class Flag:
    code: str  # coverage_low, coverage_high, average_low, average_high, no_population, …
    reason: str


@dataclass(frozen=True)
class Judgement:
    flags: list[Flag] = field(default_factory=list)
    coverage_ratio: Fraction | None = None  # the township's coverage / the county's
    average_ratio: Fraction | None = None

    @property
    def outlier(self) -> bool:
        return bool(self.flags)


def percent(value: Fraction) -> str:
    return f"{float(value * 100):.2f}%"


def yuan(fen: Fraction) -> str:
    return f"{float(fen / 100):.2f} 元"


def judge(township: Figures, *, county_coverage: Fraction | None,
          county_average: Fraction | None, thresholds: Thresholds = DEFAULT) -> Judgement:
    """R-OV-2: the township's flags against the county's coverage and average benefit, each
    with its reason."""
    flags: list[Flag] = []
    coverage = township.coverage
    coverage_ratio = average_ratio = None
    if township.population is None:
        if township.recipients:
            flags.append(Flag("no_population", f"{township.recipients} recipients but no "
                              "population figure loaded: coverage cannot be judged"))
    elif coverage is not None and county_coverage:
        coverage_ratio = coverage / county_coverage
        if township.recipients == 0:
            flags.append(Flag("no_recipients", f"no recipient among {township.population} "
                              f"people while the county covers {percent(county_coverage)}"))
        elif coverage_ratio < thresholds.coverage_low:
            flags.append(Flag("coverage_low", f"coverage {percent(coverage)} is "
                              f"{float(coverage_ratio):.2f}× the county's "
                              f"{percent(county_coverage)} (below "
                              f"{float(thresholds.coverage_low):.2f}×)"))
        elif coverage_ratio > thresholds.coverage_high:
            flags.append(Flag("coverage_high", f"coverage {percent(coverage)} is "
                              f"{float(coverage_ratio):.2f}× the county's "
                              f"{percent(county_coverage)} (above "
                              f"{float(thresholds.coverage_high):.2f}×)"))
    average = township.average_fen
    if average is not None and county_average:
        average_ratio = average / county_average
        if township.recipients >= thresholds.min_recipients:
            if average_ratio < thresholds.average_low:
                flags.append(Flag("average_low", f"average benefit {yuan(average)} is "
                                  f"{float(average_ratio):.2f}× the county's "
                                  f"{yuan(county_average)} (below "
                                  f"{float(thresholds.average_low):.2f}×)"))
            elif average_ratio > thresholds.average_high:
                flags.append(Flag("average_high", f"average benefit {yuan(average)} is "
                                  f"{float(average_ratio):.2f}× the county's "
                                  f"{yuan(county_average)} (above "
                                  f"{float(thresholds.average_high):.2f}×)"))
    return Judgement(flags, coverage_ratio, average_ratio)
