"""What the household rules share: the standard, counted income and assets of a household, and
the finishing of an assessment (an ineligible one pays 0 and has no parts)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from shared.benefits._figures import Exact, round_final, show
from shared.benefits.area import ParametersArg, area_step, select_parameters
from shared.benefits.assessment import Assessment, Reason, Step
from shared.benefits.assets import AssetCheck, check_assets
from shared.benefits.household import Household
from shared.benefits.income import Income, counted_income
from shared.benefits.parameters import Area, Parameters
from shared.money import RoundingMode
from shared.programs import Program


@dataclass(frozen=True)
class Figures:
    """A household's standard (R-BE-12), counted income (R-BE-9, R-BE-2) and assets (R-BE-10)."""

    area: Area
    params: Parameters
    income: Income
    assets: AssetCheck
    steps: tuple[Step, ...]

    @property
    def standard(self) -> int:
        """The monthly dibao standard applied."""
        return self.params.dibao_standard_fen

    @property
    def per_capita(self) -> Decimal | None:
        """The per-capita income as shown (to 0.01 fen)."""
        pc = self.income.per_capita
        return None if pc is None else Decimal(show(pc))


def household_figures(household: Household, params: ParametersArg) -> Figures:
    """R-BE-12, R-BE-9, R-BE-2, R-BE-10 for one household, with their steps in order."""
    area, chosen = select_parameters(household, params)
    income = counted_income(household, chosen)
    assets = check_assets(household, chosen)
    steps = (area_step(household, area, chosen), *income.steps, *assets.steps)
    return Figures(area, chosen, income, assets, steps)


def no_members_reason(rule: str) -> Reason:
    """No member is counted in the household."""
    return Reason(rule, "no_covered_members",
                  "无计入家庭成员 no member is counted in the household")


def rounding_steps(steps: list[Step], total: Exact, mode: RoundingMode, label: str) -> int:
    """R-BE-1: round the exact total to whole yuan; append the rounding (a part) and the amount."""
    amount = round_final(total, mode)
    parts = sum((Decimal(s.value) for s in steps if s.part), Decimal(0))
    steps.append(Step("R-BE-1", "合计(未取整) total before rounding", show(total)))
    steps.append(Step("R-BE-1", f"取整到元 rounding to whole yuan ({mode})",
                      show(Decimal(amount) - parts), parameter="benefit_rounding",
                      parameter_value=mode, part=True))
    steps.append(Step("R-BE-1", label, amount))
    return amount


def finish(program: Program, *, eligible: bool, amount_fen: int, steps: list[Step],
           reasons: list[Reason], figures: Figures | None = None, area: Area | None = None,
           standard_fen: int | None = None, first_month: date | None = None,
           last_month: date | None = None) -> Assessment:
    """The assessment; when not eligible the amount is 0 and no step is a part of it."""
    if not eligible:
        steps = [replace(s, part=False) if s.part else s for s in steps]
        amount_fen = 0
        first_month = last_month = None
    if figures is not None:
        area, standard_fen = figures.area, figures.standard
    return Assessment(
        program=program, eligible=eligible, amount_fen=amount_fen, steps=tuple(steps),
        reasons=() if eligible else tuple(reasons), area=area, standard_fen=standard_fen,
        per_capita_income_fen=figures.per_capita if figures is not None else None,
        first_month=first_month, last_month=last_month)
