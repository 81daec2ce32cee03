"""Money in integer fen, and the R-BE-1 rounding of the final benefit to whole yuan."""

from decimal import Decimal

import pytest

from shared.money import fen_to_yuan, format_yuan, round_to_yuan, yuan_to_fen


@pytest.mark.parametrize(
    ("yuan", "fen"),
    [
        ("1234.5", 123450),
        ("750", 75000),
        (" 0.01 ", 1),
        ("-3.20", -320),
        (Decimal("560.00"), 56000),
        (Decimal("1E+3"), 100000),
        (12, 1200),
        (0, 0),
    ],
)
def test_yuan_to_fen_is_exact(yuan: Decimal | str | int, fen: int) -> None:
    assert yuan_to_fen(yuan) == fen


@pytest.mark.parametrize("yuan", ["1.005", Decimal("0.001"), "abc", "", "NaN", "Infinity"])
def test_yuan_to_fen_rejects_fractions_of_a_fen_and_garbage(yuan: Decimal | str) -> None:
    with pytest.raises(ValueError):
        yuan_to_fen(yuan)


@pytest.mark.parametrize("yuan", [1.5, True, None])
def test_yuan_to_fen_rejects_floats(yuan: object) -> None:
    with pytest.raises(TypeError):
        yuan_to_fen(yuan)  # type: ignore[arg-type]


def test_fen_to_yuan_has_two_places() -> None:
    assert str(fen_to_yuan(123450)) == "1234.50"
    assert str(fen_to_yuan(0)) == "0.00"
    assert str(fen_to_yuan(-5)) == "-0.05"


@pytest.mark.parametrize(
    ("fen", "text"),
    [(123450, "1,234.50"), (0, "0.00"), (7, "0.07"), (-123456789, "-1,234,567.89")],
)
def test_format_yuan(fen: int, text: str) -> None:
    assert format_yuan(fen) == text


@pytest.mark.parametrize(
    ("fen", "mode", "rounded"),
    [
        (75001, "up", 75100),
        (75099, "up", 75100),
        (75000, "up", 75000),
        (1, "up", 100),
        (0, "up", 0),
        (-120, "up", -200),
        (75049, "half_up", 75000),
        (75050, "half_up", 75100),
        (-150, "half_up", -200),
        (-149, "half_up", -100),
        (75099, "down", 75000),
        (99, "down", 0),
        (-199, "down", -100),
    ],
)
def test_r_be_1_round_to_yuan(fen: int, mode: str, rounded: int) -> None:
    assert round_to_yuan(fen, mode) == rounded  # type: ignore[arg-type]


def test_r_be_1_default_rounding_is_up() -> None:
    assert round_to_yuan(31201) == 31300


def test_r_be_1_unknown_rounding_mode() -> None:
    with pytest.raises(ValueError, match="unknown rounding mode"):
        round_to_yuan(100, "nearest")  # type: ignore[arg-type]
