"""R-BE-3 the add-on grounds (分类施保) and R-BE-4 the single-person grounds (单人户)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from shared.benefits._figures import show
from shared.benefits.assessment import Step
from shared.benefits.household import Member
from shared.benefits.parameters import Parameters

MINOR_AGE = 18
CLERGY_APART_YEARS = 3

ADDON_ZH: dict[str, str] = {
    "severely_disabled": "重度残疾", "seriously_ill": "重病", "elderly": "老年人",
    "minor": "未成年人", "military_or_martyr_family": "军烈属",
    "old_demobilised_rural_soldier": "农村老复员军人",
}
SINGLE_ZH: dict[str, str] = {
    "disability_grade_1_2": "一级、二级残疾",
    "disability_grade_3_intellectual_mental": "三级智力、精神残疾",
    "major_illness": "重病", "disabled_serviceman_1_6": "一至六级残疾军人",
    "regularly_pensioned_entitled": "定期抚恤补助优抚对象", "clergy_apart": "宗教教职人员",
}


def addon_grounds(member: Member, on: date | None, params: Parameters) -> tuple[str, ...]:
    """R-BE-3: the grounds a member has for the add-on (any number; it is paid once)."""
    age = member.age_on(on)
    found = {
        "severely_disabled": member.severely_disabled,
        "seriously_ill": member.seriously_ill,
        "elderly": age >= params.addon_elderly_age,
        "minor": age < MINOR_AGE,
        "military_or_martyr_family": member.military_or_martyr_family,
        "old_demobilised_rural_soldier": member.old_demobilised_rural_soldier,
    }
    return tuple(code for code, yes in found.items() if yes)


def addon_amount(params: Parameters, standard_fen: int) -> Decimal:
    """R-BE-3: one person's add-on, addon_rate × the standard, exact (not rounded)."""
    return params.addon_rate * standard_fen


def addon_step(member: Member, grounds: tuple[str, ...], params: Parameters,
               standard_fen: int) -> Step:
    """R-BE-3: the add-on step of one member (a part of the amount)."""
    named = "、".join(ADDON_ZH[g] for g in grounds)
    return Step("R-BE-3", f"分类施保 add-on, once per person ({named}; {', '.join(grounds)})",
                show(addon_amount(params, standard_fen)), parameter="addon_rate",
                parameter_value=params.addon_rate, part=True, member_id=member.member_id)


def single_person_grounds(member: Member) -> tuple[str, ...]:
    """R-BE-4: the grounds on which a near-dibao household's member is covered alone."""
    found = {
        "disability_grade_1_2": member.disability_grade in (1, 2),
        "disability_grade_3_intellectual_mental": member.disability_grade == 3
        and member.disability_kind in ("intellectual", "mental"),
        "major_illness": member.seriously_ill,
        "disabled_serviceman_1_6": member.disabled_serviceman_grade is not None
        and member.disabled_serviceman_grade <= 6,
        "regularly_pensioned_entitled": member.regularly_pensioned_entitled,
        "clergy_apart": member.clergy_apart_years >= CLERGY_APART_YEARS,
    }
    return tuple(code for code, yes in found.items() if yes)
