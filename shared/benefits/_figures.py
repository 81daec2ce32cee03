"""Exact arithmetic for the benefit rules: Fractions of a fen inside, shown as Decimals, and the
one rounding to whole yuan (R-BE-1). Never floats."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

from shared.money import RoundingMode, round_to_yuan

Exact = Fraction | Decimal | int

_HUNDREDTH = Decimal("0.01")


def exact(x: Exact) -> Fraction:
    """The exact value as a Fraction of a fen."""
    return Fraction(x)


def show(x: Exact) -> int | Decimal:
    """A figure for a step: an int when whole, else a Decimal to a hundredth of a fen."""
    f = Fraction(x)
    if f.denominator == 1:
        return int(f.numerator)
    return (Decimal(f.numerator) / Decimal(f.denominator)).quantize(_HUNDREDTH, ROUND_HALF_EVEN)


def round_final(x: Exact, mode: RoundingMode) -> int:
    """R-BE-1: round the exact final amount to whole yuan by ``mode`` (shared.money.round_to_yuan).

    `up` takes the ceiling in fen first and the others the floor, which rounds the exact figure
    the same way the mode rounds a whole number of fen.
    """
    f = Fraction(x)
    whole = math.ceil(f) if mode == "up" else math.floor(f)
    return int(round_to_yuan(whole, mode))


def yuan(fen: Exact) -> str:
    """Fen shown as yuan for a label: 75000 → '750.00'."""
    f = Fraction(fen) / 100
    return f"{Decimal(f.numerator) / Decimal(f.denominator):,.2f}"
