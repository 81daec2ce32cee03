"""Money as integer fen (分); conversions to yuan and the R-BE-1 rounding to whole yuan."""

from decimal import Decimal, InvalidOperation
from typing import Literal, NewType

Fen = NewType("Fen", int)
RoundingMode = Literal["up", "half_up", "down"]

FEN_PER_YUAN = 100


def yuan_to_fen(value: Decimal | str | int) -> Fen:
    """Convert yuan to fen exactly; a fraction of a fen is a ValueError."""
    if isinstance(value, bool) or not isinstance(value, Decimal | str | int):
        raise TypeError(f"yuan must be a Decimal, str or int, not {type(value).__name__}")
    if isinstance(value, int):
        return Fen(value * FEN_PER_YUAN)
    try:
        amount = Decimal(value.strip()) if isinstance(value, str) else value
    except InvalidOperation:
        raise ValueError(f"{value!r} is not an amount in yuan") from None
    if not amount.is_finite():
        raise ValueError(f"{value!r} is not a finite amount")
    fen = amount.scaleb(2)
    if fen != fen.to_integral_value():
        raise ValueError(f"{value!r} yuan is not a whole number of fen")
    return Fen(int(fen))


def fen_to_yuan(fen: int) -> Decimal:
    """Convert fen to yuan as a Decimal with two places: 123450 → Decimal('1234.50')."""
    return Decimal(int(fen)).scaleb(-2)


def format_yuan(fen: int) -> str:
    """Format fen as yuan with thousands separators: 123450 → '1,234.50'."""
    return f"{fen_to_yuan(fen):,.2f}"


def round_to_yuan(fen: int, mode: RoundingMode = "up") -> Fen:
    """Round fen to whole yuan (R-BE-1, default `up`); modes act on the magnitude.

    up: any part of a yuan counts as a yuan; half_up: 50 fen and more round up; down: drop the
    fen. Negative amounts round symmetrically (-1.20 yuan up → -2.00).
    """
    sign = -1 if fen < 0 else 1
    yuan, rest = divmod(abs(fen), FEN_PER_YUAN)
    if mode == "up":
        yuan += 1 if rest else 0
    elif mode == "half_up":
        yuan += 1 if rest >= FEN_PER_YUAN // 2 else 0
    elif mode != "down":
        raise ValueError(f"unknown rounding mode {mode!r}")
    return Fen(sign * yuan * FEN_PER_YUAN)
