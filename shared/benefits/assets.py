"""R-BE-10 assets: deposits per person as a multiple of the standard, vehicles and homes within
their limits, exempt items listed apart; over a limit the household is not eligible and the
reason names the limit."""

from __future__ import annotations

from dataclasses import dataclass

from shared.benefits._figures import show, yuan
from shared.benefits.assessment import Reason, Step, Unit
from shared.benefits.household import Household
from shared.benefits.parameters import Parameters

ASSET_ZH = {"deposit": "存款", "vehicle": "车辆", "home": "住房", "other": "其他财产"}


@dataclass(frozen=True)
class AssetCheck:
    """The asset steps and the limits exceeded (none: within the rules)."""

    steps: tuple[Step, ...]
    reasons: tuple[Reason, ...]

    @property
    def within_limits(self) -> bool:
        """True when no limit was exceeded."""
        return not self.reasons


def check_assets(household: Household, params: Parameters) -> AssetCheck:
    """R-BE-10: the household's assets against the county's limits (财产状况)."""
    steps: list[Step] = []
    reasons: list[Reason] = []
    deposits = vehicles = homes = 0
    for asset in household.assets:
        zh = ASSET_ZH[asset.kind]
        name = f" 「{asset.name}」" if asset.name else ""
        figure = asset.value_fen if asset.kind in ("deposit", "other") else asset.count
        unit: Unit = "fen" if asset.kind in ("deposit", "other") else "number"
        if asset.exempt:
            steps.append(Step("R-BE-10", f"豁免 exempt {zh} {asset.kind}{name}: "
                              f"{asset.exempt_reason}", figure, unit=unit))
            continue
        steps.append(Step("R-BE-10", f"{zh} {asset.kind}{name}", figure, unit=unit))
        if asset.kind == "deposit":
            deposits += asset.value_fen
        elif asset.kind == "vehicle":
            vehicles += asset.count
        elif asset.kind == "home":
            homes += asset.count

    n = len(household.covered)
    limit = params.deposit_limit_multiple * params.dibao_standard_fen * n
    steps.append(Step("R-BE-10", f"存款限额 deposit limit: {params.deposit_limit_multiple} × "
                      f"{yuan(params.dibao_standard_fen)} × {n} persons", show(limit),
                      parameter="deposit_limit_multiple",
                      parameter_value=params.deposit_limit_multiple))
    steps.append(Step("R-BE-10", "计入存款 deposits counted", deposits))
    if deposits > limit:
        reasons.append(Reason(
            "R-BE-10", "deposit_limit_exceeded",
            f"存款超过限额 deposits {yuan(deposits)} above the limit of "
            f"{params.deposit_limit_multiple} × the standard per person ({yuan(limit)})",
            limit="deposit_limit_multiple", limit_value=show(limit), actual=deposits))
    limits = (("vehicle", vehicles, "vehicle_limit", params.vehicle_limit),
              ("home", homes, "home_limit", params.home_limit))
    for kind, count, field, allowed in limits:
        steps.append(Step("R-BE-10", f"计入{ASSET_ZH[kind]} {kind}s counted", count,
                          unit="number", parameter=field, parameter_value=allowed))
        if count > allowed:
            reasons.append(Reason(
                "R-BE-10", f"{kind}_limit_exceeded",
                f"{ASSET_ZH[kind]}超过限额 {count} {kind}s, more than the {allowed} allowed "
                f"({field})", limit=field, limit_value=allowed, actual=count))
    return AssetCheck(tuple(steps), tuple(reasons))
