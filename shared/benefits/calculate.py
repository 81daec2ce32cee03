"""One entry for every program: the calculation endpoint's and the initial opinion's (R-AP-1)
way into the benefit rules (R-BE)."""

from __future__ import annotations

from shared.benefits.area import ParametersArg
from shared.benefits.assessment import Assessment
from shared.benefits.dibao import assess_dibao, assess_near_dibao
from shared.benefits.household import Household
from shared.benefits.single import single_person_benefit
from shared.benefits.tekun import assess_tekun
from shared.benefits.temporary import cap_temporary_aid
from shared.programs import Program


def assess(program: Program | str, household: Household, params: ParametersArg, *,
           member_id: str | None = None, requested_fen: int | None = None,
           covered_as_child: bool = False) -> Assessment:
    """The assessment of `program` for a household: dibao (R-BE-1; with `member_id`, the
    single-person household R-BE-4), near-dibao (R-BE-5), tekun of `member_id` (R-BE-7),
    temporary aid of `requested_fen` (R-BE-8)."""
    program = Program(program)
    if program is Program.DIBAO:
        if member_id is not None:
            return single_person_benefit(household, member_id, params)
        return assess_dibao(household, params)
    if program is Program.NEAR_DIBAO:
        return assess_near_dibao(household, params)
    if program is Program.TEKUN:
        return assess_tekun(household, member_id, params, covered_as_child=covered_as_child)
    if requested_fen is None:
        raise ValueError("temporary aid needs requested_fen")
    return cap_temporary_aid(program, requested_fen, params, household=household)
