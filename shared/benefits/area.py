"""R-BE-12: rural residents of a border county on the urban standard (城乡社会救助一体化), and the
choice of the parameters a household's calculation uses."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from shared.benefits.assessment import Step
from shared.benefits.household import Household
from shared.benefits.parameters import Area, Parameters

ParametersArg = Parameters | Mapping[Area, Parameters]
"""One area's parameters (already the applicable one), or the county's by area (as ``DEMO``)."""

AREA_ZH: dict[Area, str] = {"urban": "城市", "rural": "农村"}


def border_rule_applies(household: Household, border_counties: Iterable[str]) -> bool:
    """R-BE-12: a rural resident registered in a border county who has long lived in one."""
    return (household.area == "rural" and household.county in tuple(border_counties)
            and household.long_lived_in_border_county)


def applicable_area(household: Household, params: ParametersArg | Iterable[str]) -> Area:
    """R-BE-12: whose standard applies, urban or rural (边境县农村居民按城市标准)."""
    if isinstance(params, Parameters):
        border: Iterable[str] = params.border_counties
    elif isinstance(params, Mapping):
        border = _any(params, household.area).border_counties
    else:
        border = params
    return "urban" if border_rule_applies(household, border) else household.area


def select_parameters(household: Household, params: ParametersArg) -> tuple[Area, Parameters]:
    """The applicable area (R-BE-12) and its parameters; a single Parameters is taken as given."""
    area = applicable_area(household, params)
    if isinstance(params, Parameters):
        return area, params
    if area not in params:
        raise ValueError(f"no parameters for the {area} standard")
    return area, params[area]


def area_step(household: Household, area: Area, params: Parameters) -> Step:
    """R-BE-12: the step naming the standard used and why."""
    if area != household.area:
        why = "边境县农村居民按城市标准 rural resident of a border county, on the urban standard"
    else:
        why = f"按户籍{AREA_ZH[area]}标准 on the registered {area} standard"
    return Step(
        rule="R-BE-12",
        label=f"适用{AREA_ZH[area]}低保标准 {area} dibao standard applied: {why}",
        value=params.dibao_standard_fen,
        parameter="border_counties",
        parameter_value=",".join(params.border_counties),
    )


def _any(params: Mapping[Area, Parameters], prefer: Area) -> Parameters:
    if prefer in params:
        return params[prefer]
    for value in params.values():
        return value
    raise ValueError("no parameters given")
