"""R-BE-11 who is tekun (特困人员认定) and R-BE-7 the tekun support: the basic living standard
plus the care standard by self-care ability (基本生活标准 + 照料护理标准)."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

from shared.benefits._common import finish
from shared.benefits._figures import show, yuan
from shared.benefits.area import ParametersArg, area_step, select_parameters
from shared.benefits.assessment import Assessment, Reason, Step
from shared.benefits.household import Household, Member
from shared.money import round_to_yuan
from shared.programs import Program

ELDERLY_AGE = 60
CHILD_AGE = 16
MINOR_AGE = 18
SUPPORTER_CANT = frozenset({"none", "tekun", "old_or_severely_disabled_dibao", "missing",
                            "in_prison"})
"""R-BE-11: no supporter, or one who can't support: tekun, an old or severely disabled dibao
recipient, missing, in prison."""
CONCENTRATED_CARE_TARGET = Decimal("0.55")
"""R-BE-7: target share of tekun unable to care for themselves in concentrated care."""
SELF_CARE_ZH = {"able": "生活自理", "partly_unable": "部分丧失生活自理能力",
                "unable": "完全丧失生活自理能力"}


def tekun_reasons(person: Member, on: date | None, *,
                  covered_as_child: bool = False) -> tuple[Reason, ...]:
    """R-BE-11: the conditions the person fails (empty: tekun). `covered_as_child`: already
    tekun as a child, who stays covered to 18 and longer while in school."""
    age = person.age_on(on)
    child = age < CHILD_AGE or (covered_as_child and (age < MINOR_AGE or person.in_school))
    reasons: list[Reason] = []
    if not (age >= ELDERLY_AGE or person.disabled or child):
        reasons.append(Reason("R-BE-11", "not_elderly_disabled_or_child",
                              "非老年人、残疾人或未满16周岁未成年人 not elderly "
                              f"(≥ {ELDERLY_AGE}), disabled or a child under {CHILD_AGE}",
                              actual=age))
    if person.able_to_work and not child:
        reasons.append(Reason("R-BE-11", "able_to_work", "有劳动能力 able to work"))
    if person.has_income_source:
        reasons.append(Reason("R-BE-11", "has_income_source", "有生活来源 has a source of income"))
    if person.supporter not in SUPPORTER_CANT:
        reasons.append(Reason("R-BE-11", "has_able_supporter",
                              "有具备履行能力的法定义务人 has a supporter able to support them"))
    return tuple(reasons)


def is_tekun(person: Member, on: date | None, *, covered_as_child: bool = False) -> bool:
    """R-BE-11: elderly, disabled or a child, unable to work, no income, no able supporter."""
    return not tekun_reasons(person, on, covered_as_child=covered_as_child)


def assess_tekun(household: Household, member_id: str | None, params: ParametersArg, *,
                 covered_as_child: bool = False) -> Assessment:
    """R-BE-7: basic living standard (≥ tekun_basic_factor × the dibao standard, or
    tekun_basic_standard_fen) + the care standard of the person's self-care ability.
    `member_id` may be None in a household of one."""
    if member_id is None:
        if len(household.members) != 1:
            raise ValueError("name the member of a household of several")
        person = household.members[0]
    else:
        person = household.member(member_id)
    area, p = select_parameters(household, params)
    standard = p.dibao_standard_fen
    reasons = list(tekun_reasons(person, household.on, covered_as_child=covered_as_child))
    steps = [area_step(household, area, p),
             Step("R-BE-11", "特困人员 tekun" if not reasons else "非特困人员 not tekun",
                  int(not reasons), unit="number", member_id=person.member_id)]
    floor = p.tekun_basic_factor * standard
    steps.append(Step("R-BE-7", f"基本生活标准下限 basic standard floor: {p.tekun_basic_factor} × "
                      f"{yuan(standard)}", show(floor), parameter="tekun_basic_factor",
                      parameter_value=p.tekun_basic_factor))
    if p.tekun_basic_standard_fen is not None:
        basic = p.tekun_basic_standard_fen
        steps.append(Step("R-BE-7", "基本生活标准 basic living standard (as set)", basic,
                          parameter="tekun_basic_standard_fen", parameter_value=basic, part=True,
                          member_id=person.member_id))
    else:
        basic = int(round_to_yuan(math.ceil(floor), "up"))
        steps.append(Step("R-BE-7", "基本生活标准 basic living standard (the floor, rounded up to "
                          "whole yuan)", basic, parameter="tekun_basic_factor",
                          parameter_value=p.tekun_basic_factor, part=True,
                          member_id=person.member_id))
    care = p.tekun_care_fen[person.self_care]
    steps.append(Step("R-BE-7", f"照料护理标准 care standard: {SELF_CARE_ZH[person.self_care]} "
                      f"{person.self_care}", care, parameter=f"tekun_care_fen.{person.self_care}",
                      parameter_value=care, part=True, member_id=person.member_id))
    steps.append(Step("R-BE-7", "特困供养金 monthly tekun support", basic + care))
    return finish(Program.TEKUN, eligible=not reasons, amount_fen=basic + care, steps=steps,
                  reasons=reasons, area=area, standard_fen=standard)


def concentrated_care_rate(unable: int, unable_concentrated: int) -> Decimal | None:
    """R-BE-7: share of tekun unable to care for themselves who are in concentrated care
    (集中供养率, target ≥ 55 %), to four places; None when there are none."""
    if unable < 0 or not 0 <= unable_concentrated <= unable:
        raise ValueError("counts must satisfy 0 ≤ concentrated ≤ unable")
    if unable == 0:
        return None
    return (Decimal(unable_concentrated) / Decimal(unable)).quantize(Decimal("0.0001"))
