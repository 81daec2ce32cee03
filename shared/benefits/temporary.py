"""R-BE-8 temporary aid (临时救助): the amount per case, capped by a multiple of the monthly
standard set per program; paid once, at approval."""

from __future__ import annotations

import math

from shared.benefits._common import finish
from shared.benefits.area import ParametersArg, area_step, select_parameters
from shared.benefits.assessment import Assessment, Reason, Step
from shared.benefits.household import Household
from shared.benefits.parameters import Parameters
from shared.programs import Program

TEMPORARY_AID = (Program.TEMP_EMERGENCY, Program.TEMP_EXPENDITURE)


def temporary_aid_cap(program: Program | str, params: Parameters) -> int:
    """R-BE-8: the cap per case in fen, temp_aid_cap_multiple[program] × the standard (floor)."""
    program = Program(program)
    if program not in TEMPORARY_AID:
        raise ValueError(f"{program} is not temporary aid")
    if program not in params.temp_aid_cap_multiple:
        raise ValueError(f"no temp_aid_cap_multiple for {program}")
    return math.floor(params.temp_aid_cap_multiple[program] * params.dibao_standard_fen)


def cap_temporary_aid(program: Program | str, requested_fen: int, params: ParametersArg, *,
                      household: Household | None = None) -> Assessment:
    """R-BE-8: the requested amount, at most the cap; with parameters by area, the household
    picks the standard (R-BE-12)."""
    program = Program(program)
    if requested_fen < 0:
        raise ValueError("requested_fen must not be negative")
    steps: list[Step] = []
    if household is not None:
        area, p = select_parameters(household, params)
        steps.append(area_step(household, area, p))
    elif isinstance(params, Parameters):
        area, p = None, params
    else:
        raise ValueError("parameters by area need the household to choose the standard")
    cap = temporary_aid_cap(program, p)
    multiple = p.temp_aid_cap_multiple[program]
    steps.append(Step("R-BE-8", "申请救助金额 amount requested", requested_fen))
    steps.append(Step("R-BE-8", f"单次救助上限 cap per case: {multiple} × the monthly standard",
                      cap, parameter=f"temp_aid_cap_multiple.{program}", parameter_value=multiple))
    amount = min(requested_fen, cap)
    steps.append(Step("R-BE-8", "核定临时救助金 temporary aid granted (once)"
                      + (" — 按上限 capped" if requested_fen > cap else ""), amount, part=True))
    reasons = [] if amount > 0 else [Reason("R-BE-8", "nothing_requested",
                                            "无救助金额 no amount requested")]
    return finish(program, eligible=amount > 0, amount_fen=amount, steps=steps, reasons=reasons,
                  area=area, standard_fen=p.dibao_standard_fen)
