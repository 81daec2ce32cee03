"""Policy parameters of the benefit rules (R-BE): one county's, for urban or rural residents,
in force from a date. Pure data: approval keeps their versions; the rules read them.

Amounts are integer fen, rates and factors Decimals. The demo values of ``DEMO`` are of the
order DOMAIN.md gives for 伊春市 and are demo values, not official ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from shared.money import RoundingMode

Area = Literal["urban", "rural"]
SelfCare = Literal["able", "partly_unable", "unable"]
"""Self-care ability of a tekun person (生活自理能力): fully able, partly unable, unable."""


@dataclass(frozen=True)
class Parameters:
    """The figures a calculation uses; each step of a result names the one it used."""

    dibao_standard_fen: int
    """Monthly dibao standard per person (低保标准), R-BE-1."""
    minimum_wage_fen: int
    """Monthly minimum wage where the members work, R-BE-2 (two months per employed member)."""
    addon_rate: Decimal = Decimal("0.15")
    """R-BE-3: the add-on as a share of the standard, once per person."""
    addon_elderly_age: int = 60
    """R-BE-3: from this age a covered member counts as elderly."""
    near_dibao_factor: Decimal = Decimal("1.5")
    """R-BE-5: near-dibao up to this multiple of the standard."""
    benefit_rounding: RoundingMode = "up"
    """R-BE-1: how the final amount is rounded to whole yuan."""
    gradual_exit_months: int = 12
    """R-BE-6: months a household keeps its benefit after its income rose above the standard."""
    average_dibao_per_capita_fen: int = 0
    """R-BE-4: the county's average per-capita dibao payment (单人户 benefit), as published."""
    tekun_basic_factor: Decimal = Decimal("1.3")
    """R-BE-7: the basic living standard is at least this multiple of the dibao standard."""
    tekun_basic_standard_fen: int | None = None
    """R-BE-7: the basic living standard if set above the floor; None: the floor itself."""
    tekun_care_fen: dict[SelfCare, int] = field(default_factory=lambda: {
        "able": 0, "partly_unable": 0, "unable": 0})
    """R-BE-7: monthly care standard by self-care ability."""
    temp_aid_cap_multiple: dict[str, Decimal] = field(default_factory=lambda: {
        "temp_emergency": Decimal("3"), "temp_expenditure": Decimal("6")})
    """R-BE-8: cap per case as a multiple of the monthly standard, by program."""
    deposit_limit_multiple: Decimal = Decimal("24")
    """R-BE-10: deposits per person up to this multiple of the monthly standard."""
    vehicle_limit: int = 0
    """R-BE-10: vehicles a household may own beyond the exempt ones."""
    home_limit: int = 1
    """R-BE-10: homes a household may own beyond the exempt ones."""
    excluded_income_items: tuple[str, ...] = ()
    """R-BE-9: items the city government excludes from income, beyond the statutory ones."""
    border_counties: tuple[str, ...] = ("230722",)
    """R-BE-12: the province's border counties (嘉荫县 in the demo data)."""

    def __post_init__(self) -> None:
        for name in ("dibao_standard_fen", "minimum_wage_fen", "average_dibao_per_capita_fen"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.dibao_standard_fen == 0:
            raise ValueError("dibao_standard_fen must be positive")
        if not Decimal(0) <= self.addon_rate <= Decimal(1):
            raise ValueError("addon_rate must lie between 0 and 1")
        if self.near_dibao_factor < 1:
            raise ValueError("near_dibao_factor must be at least 1")
        if self.tekun_basic_factor < Decimal("1.3"):
            raise ValueError("tekun_basic_factor must be at least 1.3 (R-BE-7)")
        floor = self.dibao_standard_fen * self.tekun_basic_factor
        if self.tekun_basic_standard_fen is not None and self.tekun_basic_standard_fen < floor:
            raise ValueError("tekun_basic_standard_fen is below tekun_basic_factor × the standard")
        if set(self.tekun_care_fen) != {"able", "partly_unable", "unable"}:
            raise ValueError("tekun_care_fen needs able, partly_unable and unable")
        if any(v < 0 for v in self.tekun_care_fen.values()):
            raise ValueError("tekun_care_fen must not be negative")
        if self.gradual_exit_months < 0 or self.vehicle_limit < 0 or self.home_limit < 0:
            raise ValueError("months and limits must not be negative")


DEMO: dict[Area, Parameters] = {
    "urban": Parameters(dibao_standard_fen=75_000, minimum_wage_fen=175_000,
                        average_dibao_per_capita_fen=62_000,
                        tekun_care_fen={"able": 10_000, "partly_unable": 40_000, "unable": 80_000}),
    "rural": Parameters(dibao_standard_fen=56_000, minimum_wage_fen=175_000,
                        average_dibao_per_capita_fen=41_000,
                        tekun_care_fen={"able": 8_000, "partly_unable": 30_000, "unable": 60_000}),
}
"""Demo values (not official): urban 750 / rural 560 yuan, minimum wage 1,750 yuan."""
